// The daemon's exec relay on a terminal (`exec -t`): the command is rootfs/ptyrelay, which reads
// exec frames on its stdin, so the client's input and window sizes are passed on as frames (a
// malformed size dropped), and the client's end of input does not close the terminal.
import { Duplex } from 'node:stream';
import test from 'ava';
import { decodeResize, encodeFrame, encodeResize, Frame, readFrames, type FrameType } from '../../../lib/api/frames.js';
import { relayExec } from '../../../lib/api/streams.js';
import { FakeHost } from '../../../lib/os/fake.js';
import { useHost } from '../../../lib/os/host.js';
import { waitUntil } from '../../../lib/util/wait.js';

/** A client's end of an exec connection: frames pushed in, what the daemon writes kept. */
function clientSocket(): Duplex {
  return new Duplex({ read() {}, write(_chunk, _enc, done) { done(); } });
}

test('on a terminal, input and checked window sizes reach the command as frames; the end of input does not end its stdin', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  const proc = fake.spawn([fake.tools.ptyrelay, '24', '80', '/bin/sh'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const got: [FrameType, Buffer][] = [];
  readFrames(proc.stdin as unknown as Duplex, (type, data) => got.push([type, data]));
  const socket = clientSocket();
  relayExec(proc, socket, Buffer.alloc(0), { tty: true });
  socket.push(encodeFrame(Frame.stdin, 'ls\r'));
  socket.push(encodeResize({ rows: 50, cols: 132 }));
  socket.push(encodeFrame(Frame.resize, Buffer.from([0, 0, 0, 80]))); // zero rows: dropped
  socket.push(encodeFrame(Frame.stdinEnd));
  t.true(await waitUntil(() => got.length >= 2, { timeoutMs: 2000, everyMs: 5 }));
  t.deepEqual(got.map(([type]) => type), [Frame.stdin, Frame.resize]);
  t.is(got[0]![1].toString(), 'ls\r');
  t.deepEqual(decodeResize(got[1]![1]), { rows: 50, cols: 132 });
  t.false(proc.stdin!.writableEnded, 'Ctrl-D is input on a terminal: its stdin stays open');
  socket.destroy();
});

test('without a terminal, input is passed as it is, resizes are ignored and the end of input ends stdin', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  const proc = fake.spawn(['/bin/cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let text = '';
  proc.stdin!.on('data', (d: Buffer) => (text += d.toString()));
  const socket = clientSocket();
  relayExec(proc, socket, Buffer.alloc(0));
  socket.push(encodeFrame(Frame.stdin, 'hello'));
  socket.push(encodeResize({ rows: 50, cols: 132 }));
  socket.push(encodeFrame(Frame.stdinEnd));
  t.true(await waitUntil(() => proc.stdin!.writableEnded, { timeoutMs: 2000, everyMs: 5 }));
  t.is(text, 'hello');
  socket.destroy();
});

test('a command minipod ended (a stop, a recovery, a shutdown): the exit frame says why; one that ended by itself says nothing', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  for (const why of ['minipod: exec ended: pod web is stopping (stop requested)', undefined]) {
    const proc = fake.spawn(['/bin/sh'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const frames: [FrameType, Buffer][] = [];
    const socket = new Duplex({ read() {}, write(chunk: Buffer, _enc, done) { readFrames(Duplex.from([chunk]), (type, data) => frames.push([type, data])); done(); } });
    relayExec(proc, socket, Buffer.alloc(0), { tty: false, endedBecause: () => why });
    fake.kill(proc.pid!, 'SIGTERM');
    t.true(await waitUntil(() => frames.some(([type]) => type === Frame.exit), { timeoutMs: 2000, everyMs: 5 }));
    const status = JSON.parse(frames.find(([type]) => type === Frame.exit)![1].toString());
    t.like(status, { exitCode: 143, signal: 'SIGTERM', message: why });
    socket.destroy();
  }
});
