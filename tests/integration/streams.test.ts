// The daemon's memory is bounded: exec both ways and logs apply backpressure, so a client that
// stops reading (or a command that stops reading) costs the daemon a small fixed buffer, other
// calls answer meanwhile, and nothing is left once the client goes. The CLI is quiet on EPIPE.
import { stat } from 'node:fs/promises';
import net from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { encodeFrame, Frame } from '../../lib/api/frames.js';
import type { Stats } from '../../lib/api/protocol.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, CLI, daemonDescendants, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;
const MiB = 1024 * 1024;
/** What a stalled client may cost the daemon above its baseline (it was GiBs before). */
const BOUND = 64 * MiB;
const LOG_BYTES = 160 * MiB;

test.before(async () => {
  // Logs are capped at 10 MiB by default (rotation): this node keeps the whole 160 MiB log.
  node = await startTestNode({ containerLogMaxSize: '256Mi' });
  const r = await node.cli(['run', 'box', '-c', 'a=sleep infinity']);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  // The big log: written once by a job into the pod's log file (on the test's temp dir), removed with the pod.
  await node.api.request('POST', '/pods', { metadata: { name: 'big' }, spec: { restartPolicy: 'Never', containers: [{ name: 'w', command: ['head', '-c', String(LOG_BYTES), '/dev/zero'] }] } });
  await waitFor(async () => (await node.api.request<PodRecord>('GET', '/pods/big')).containers[0]!.state === 'Terminated', 'the log writer to finish');
});
test.after.always(() => node?.dispose());

const rss = async () => (await node.api.request<Stats>('GET', '/stats')).rssBytes;

/** A raw request whose answer we never read beyond its first bytes: the socket is paused at once. */
async function stalledRequest(request: string): Promise<{ socket: net.Socket; first: string }> {
  const socket = net.connect(node.socket);
  socket.on('error', () => {});
  socket.write(request);
  const first = await new Promise<Buffer>((resolve, reject) => {
    socket.once('data', resolve);
    socket.once('close', () => reject(new Error('closed before answering')));
  });
  socket.pause();
  return { socket, first: first.toString('latin1') };
}

const execRequest = (pod: string, argv: string[]) =>
  `POST /v1/pods/${pod}/exec?${new URLSearchParams(argv.map((a) => ['argv', a]))} HTTP/1.1\r\nHost: minipod\r\nConnection: Upgrade\r\nUpgrade: minipod-exec\r\n\r\n`;

/**
 * For `ms`, the daemon's RSS stays within BOUND of `baseline` while other calls answer; returns the
 * highest RSS seen. A breach ends the wait at once (the caller's client is then closed).
 */
async function holdsBound(t: ExecutionContext, baseline: number, ms: number): Promise<number> {
  let peak = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    peak = Math.max(peak, await rss());
    if (peak > baseline + BOUND) break;
    t.is((await node.api.request<{ ok: boolean }>('GET', '/health')).ok, true);
    await sleep(200);
  }
  t.true(peak <= baseline + BOUND, `daemon RSS ${(peak / MiB).toFixed(0)} MiB, baseline ${(baseline / MiB).toFixed(0)} MiB`);
  const ps = await node.cli(['ps']);
  t.is(ps.exitCode, 0, 'the CLI is answered meanwhile');
  t.regex(ps.stdout, /box/);
  return peak;
}

async function execsGone(): Promise<void> {
  await waitFor(async () => !(await daemonDescendants(node.pid)).some((p) => /cat \/dev\/zero|sleep 777/.test(p.cmd)), 'the exec to be killed', 10_000);
}

test.serial('exec output to a client that stops reading is paused, not buffered', async (t) => {
  const baseline = await rss();
  const { socket, first } = await stalledRequest(execRequest('box', ['cat', '/dev/zero']));
  t.regex(first, /^HTTP\/1\.1 101 /);
  try {
    await holdsBound(t, baseline, 3000);
    t.true((await daemonDescendants(node.pid)).some((p) => p.cmd.includes('cat /dev/zero')), 'the command is still there, blocked on its full pipe');
  } finally {
    socket.destroy();
  }
  await execsGone();
  t.true((await rss()) <= baseline + BOUND, 'bounded after the client left');
});

test.serial('exec input to a command that does not read stops the client, not the daemon', async (t) => {
  const baseline = await rss();
  const { socket, first } = await stalledRequest(execRequest('box', ['sleep', '777']));
  t.regex(first, /^HTTP\/1\.1 101 /);
  const chunk = encodeFrame(Frame.stdin, Buffer.alloc(64 * 1024, 0x61));
  let sent = 0;
  let stalled = false;
  try {
    // As fast as the socket takes it, up to 256 MiB; a socket that stays full for 1.5 s is stalled.
    while (sent < 256 * MiB && !stalled) {
      if (!socket.write(chunk)) stalled = !(await Promise.race([new Promise((r) => socket.once('drain', () => r(true))), sleep(1500).then(() => false)]));
      sent += chunk.length;
    }
    t.true(stalled, `the daemon took ${(sent / MiB).toFixed(0)} MiB of input for a command that reads none`);
    t.true(sent < BOUND, `the daemon took ${(sent / MiB).toFixed(1)} MiB before pushing back`);
    await holdsBound(t, baseline, 1500);
  } finally {
    socket.destroy();
  }
  await execsGone();
  t.true((await rss()) <= baseline + BOUND, 'bounded after the client left');
});

test.serial('a command that exits while input still flows ends the exec (`yes | minipod exec POD -- head -c 3`)', async (t) => {
  const cli = execa(process.execPath, [CLI, 'exec', 'box', '--', 'head', '-c', '3'], { env: { MINIPOD_SOCKET: node.socket }, reject: false, timeout: 30_000 });
  cli.stdin.on('error', () => {}); // EPIPE once the CLI has exited
  Readable.from((function* () {
    for (;;) yield Buffer.alloc(64 * 1024, 0x61);
  })()).pipe(cli.stdin);
  const r = await cli;
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout, 'aaa');
  await waitFor(async () => !(await daemonDescendants(node.pid)).some((p) => p.cmd.includes('head -c 3')), 'head to be gone', 10_000);
});

test.serial('logs of a large file to a client that stops reading are read at its pace', async (t) => {
  const pod = await node.api.request<PodRecord>('GET', '/pods/big');
  t.true((await stat(pod.containers[0]!.logPath)).size > LOG_BYTES, 'the output and its records\' heads');
  for (const follow of [false, true]) {
    const baseline = await rss();
    const { socket, first } = await stalledRequest(`GET /v1/pods/big/logs?follow=${follow} HTTP/1.1\r\nHost: minipod\r\n\r\n`);
    t.regex(first, /^HTTP\/1\.1 200 /);
    try {
      await holdsBound(t, baseline, 3000);
    } finally {
      socket.destroy();
    }
    await sleep(300);
    t.true((await rss()) <= baseline + BOUND, `bounded after the client left (follow=${follow})`);
  }
});

test.serial('a reader that stops reading does not stop a CLI reading the same log', async (t) => {
  const { socket } = await stalledRequest('GET /v1/pods/big/logs HTTP/1.1\r\nHost: minipod\r\n\r\n');
  try {
    const cli = execa(process.execPath, [CLI, 'logs', 'big'], { env: { MINIPOD_SOCKET: node.socket }, buffer: { stdout: false }, timeout: 60_000 });
    let bytes = 0;
    cli.stdout.on('data', (d: Buffer) => (bytes += d.length));
    t.is((await cli).exitCode, 0);
    t.is(bytes, LOG_BYTES);
  } finally {
    socket.destroy();
  }
});

test.serial('the CLI exits quietly (0, nothing on stderr) when its reader goes away', async (t) => {
  for (const args of [['logs', 'big'], ['logs', 'big', '-f'], ['ps'], ['events'], ['events', '-f']]) {
    // Like `minipod logs big | head -c 1`: read one chunk, then close the pipe.
    const cli = execa(process.execPath, [CLI, ...args], { env: { MINIPOD_SOCKET: node.socket }, reject: false, timeout: 30_000, buffer: { stdout: false } });
    await new Promise<void>((resolve) => {
      cli.stdout.once('data', () => resolve());
      void cli.then(() => resolve());
    });
    cli.stdout.destroy();
    // -f never ends on its own: one more event (or log line) makes it write into the closed pipe.
    if (args.includes('-f')) await node.api.request('POST', '/pods/box/kill', { container: 'a', signal: 'CONT' });
    const r = await cli;
    t.is(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    t.is(r.stderr, '', args.join(' '));
  }
});

test.serial('logs -f ends, its answer complete, when the pod is removed', async (t) => {
  t.is((await node.cli(['run', 'going', '-c', 'a=sleep infinity'])).exitCode, 0);
  const res = await node.api.send('GET', '/pods/going/logs?follow=true'); // resolves once the follow has begun
  let ended = false;
  res.on('end', () => (ended = true)).resume();
  t.is((await node.cli(['rm', '-f', 'going'])).exitCode, 0);
  await waitFor(async () => ended, 'the follow to end after the pod was removed', 10_000);
  t.pass();
});

test.serial('nothing is left', async (t) => {
  t.is((await node.cli(['rm', '-f', 'box', 'big'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
