// `logs -f` over a real HTTP server on a unix socket (no root): new output, output after a
// copytruncate rotation and a log file made only after the follow began reach the client; the follow ends when the pod goes (its event, or the
// safety poll's check) and when the client leaves, closing its file watch.
import { once } from 'node:events';
import { appendFile, copyFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { streamLog } from '../../../lib/api/log-follow.js';
import { rotateLog } from '../../../lib/pod/log-rotation.js';
import { forgetRotationsUnder } from '../../../lib/logs/rotations.js';
import { waitFor } from '../../helpers/wait.js';

interface Setup {
  file: string;
  gone: AbortController;
  stillThere: { value: boolean };
  /** Settles when the server's streamLog does. */
  served: Promise<unknown>;
  /** What the client has read so far, and whether its answer ended. */
  client: { text: string; ended: boolean; req: http.ClientRequest };
}

async function setup(t: ExecutionContext, { create = true } = {}): Promise<Setup> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-follow-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'app.log');
  if (create) await writeFile(file, 'one\n');
  const gone = new AbortController();
  const stillThere = { value: true };
  let served!: Promise<unknown>;
  const server = http.createServer((_req, res) => {
    served = streamLog(file, res, { gone: gone.signal, stillThere: () => stillThere.value });
  });
  server.listen(path.join(dir, 'api.sock'));
  await once(server, 'listening');
  t.teardown(() => server.close());
  const req = http.get({ socketPath: path.join(dir, 'api.sock'), path: '/' });
  const client = { text: '', ended: false, req };
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  res.on('data', (d: Buffer) => (client.text += d.toString()));
  res.on('end', () => (client.ended = true));
  res.on('error', () => {});
  t.teardown(() => req.destroy());
  return { file, gone, stillThere, served: Promise.resolve().then(() => served), client };
}

test('follow: new output, then output after a copytruncate rotation; ends on the gone signal', async (t) => {
  const s = await setup(t);
  await waitFor(async () => s.client.text === 'one\n', 'the log so far', 10_000);
  await appendFile(s.file, 'two\n');
  await waitFor(async () => s.client.text === 'one\ntwo\n', 'an appended line', 10_000);
  // copytruncate, as lib/pod/log-rotation.ts does it: copy to .1, truncate in place, the app writes on.
  await copyFile(s.file, `${s.file}.1`);
  await truncate(s.file, 0);
  await appendFile(s.file, 'three\n');
  await waitFor(async () => s.client.text.endsWith('three\n'), 'the line written after the rotation', 10_000);
  t.is(s.client.text, 'one\ntwo\nthree\n');
  s.gone.abort();
  await waitFor(async () => s.client.ended, 'the answer to end once the pod is gone', 10_000);
  await s.served;
});

test('follow: the safety poll ends it for a pod gone without an event', async (t) => {
  const s = await setup(t);
  await waitFor(async () => s.client.text === 'one\n', 'the log so far', 10_000);
  s.stillThere.value = false;
  await waitFor(async () => s.client.ended, 'the answer to end once the pod is not listed', 10_000);
  t.pass();
});

test('follow: a client that leaves ends the stream on the server', async (t) => {
  const s = await setup(t);
  await waitFor(async () => s.client.text === 'one\n', 'the log so far', 10_000);
  s.client.req.destroy();
  await s.served; // the ava timeout bounds this
  t.pass();
});

test('follow: a log file that appears only later is read once it does', async (t) => {
  const s = await setup(t, { create: false });
  await writeFile(s.file, 'late\n');
  await waitFor(async () => s.client.text === 'late\n', 'the log file made after the follow began', 10_000);
  s.gone.abort();
  await waitFor(async () => s.client.ended, 'the answer to end once the pod is gone', 10_000);
  t.pass();
});

test('follow: a new run (NAME.log renamed to NAME.previous.log, a new NAME.log) is read from its start, even when longer', async (t) => {
  const s = await setup(t);
  await waitFor(async () => s.client.text === 'one\n', 'the log so far', 10_000);
  await rename(s.file, s.file.replace(/\.log$/, '.previous.log'));
  await writeFile(s.file, 'second run, a longer first line\n');
  await waitFor(async () => s.client.text.endsWith('second run, a longer first line\n'), 'the new run\'s first line', 10_000);
  await appendFile(s.file, 'and more\n');
  await waitFor(async () => s.client.text.endsWith('and more\n'), 'a line appended to the new file', 10_000);
  t.is(s.client.text, 'one\nsecond run, a longer first line\nand more\n');
  s.gone.abort();
  await s.served;
});

test('follow across rotations made while it reads: every line once, in order (a copytruncate under a read once gave lines twice, out of order, or never)', async (t) => {
  const s = await setup(t);
  const limits = { maxSize: 20 * 1024, maxFiles: 3 };
  const line = (i: number) => `L ${String(i).padStart(6, '0')} ${'x'.repeat(80)}\n`;
  const total = 3000;
  for (let i = 0; i < total; i += 50) {
    await appendFile(s.file, Array.from({ length: 50 }, (_, j) => line(i + j)).join(''));
    await rotateLog(s.file, limits); // the daemon's own rotation, as its LogRotator makes it
    if (i % 500 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  await waitFor(async () => s.client.text.includes(line(total - 1)), 'the last line', 20_000);
  const seen = s.client.text.split('\n').filter((l) => l.startsWith('L ')).map((l) => Number(l.slice(2, 8)));
  const outOfOrder = seen.filter((n, i) => i > 0 && n <= seen[i - 1]!);
  t.deepEqual(outOfOrder, [], 'no line twice, none before one already read');
  // Whatever a rotation's copy missed (bytes written between its stat and its truncate) is lost, as
  // the README says; here nothing is written meanwhile, so every line arrives.
  t.is(seen.length, total);
  s.gone.abort();
  await s.served;
});

test('without follow, the log as it is when asked: a writer faster than the client is not chased', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-nofollow-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'app.log');
  await writeFile(file, 'x'.repeat(99) + '\n'.repeat(1));
  let writing = true;
  const writer = (async () => {
    while (writing) await appendFile(file, `${'y'.repeat(1023)}\n`);
  })();
  t.teardown(async () => {
    writing = false;
    await writer;
  });
  const server = http.createServer((_req, res) => void streamLog(file, res));
  server.listen(path.join(dir, 'api.sock'));
  await once(server, 'listening');
  t.teardown(() => server.close());
  await new Promise((r) => setTimeout(r, 50)); // the file grows meanwhile
  const [res] = (await once(http.get({ socketPath: path.join(dir, 'api.sock'), path: '/' }), 'response')) as [http.IncomingMessage];
  let got = 0;
  res.on('data', (d: Buffer) => (got += d.length));
  await once(res, 'end');
  t.true(got > 0 && got < 64 * 1024 * 1024, `ended, with ${got} bytes`);
});

test('follow: a rotation forgotten (the pod\'s logs removed) sends nothing again', async (t) => {
  const s = await setup(t);
  await waitFor(async () => s.client.text === 'one\n', 'the log so far', 10_000);
  await appendFile(s.file, 'x'.repeat(20_000) + '\n');
  await rotateLog(s.file, { maxSize: 16 * 1024, maxFiles: 2 });
  await appendFile(s.file, 'after\n');
  await waitFor(async () => s.client.text.endsWith('after\n'), 'the line after the rotation', 10_000);
  forgetRotationsUnder(path.dirname(s.file));
  await appendFile(s.file, 'last\n');
  await waitFor(async () => s.client.text.endsWith('last\n'), 'the next line', 10_000);
  t.is(s.client.text.split('after\n').length, 2, 'the file was not sent again');
  s.gone.abort();
  await s.served;
});
