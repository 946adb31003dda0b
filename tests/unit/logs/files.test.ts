// A container's log files: where the last N lines begin (read backwards), and a new run keeping
// the last one's log as NAME.previous.log while its rotated copies go. Real files in a temp dir.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { previousLogPath, startNewRun, tailOffset } from '../../../lib/logs/files.js';

async function tmp(t: import('ava').ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-logs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('tailOffset: where the last N lines begin; an unfinished last line counts; all for more than there are', async (t) => {
  const file = path.join(await tmp(t), 'app.log');
  await writeFile(file, 'a\nb\nc\n');
  const tail = async (n: number) => (await readFile(file)).subarray(await tailOffset(file, n)).toString();
  t.is(await tail(1), 'c\n');
  t.is(await tail(2), 'b\nc\n');
  t.is(await tail(3), 'a\nb\nc\n');
  t.is(await tail(9), 'a\nb\nc\n');
  t.is(await tail(0), '');
  await writeFile(file, 'a\nb\nc');
  t.is(await tail(1), 'c');
  t.is(await tail(2), 'b\nc');
  t.is(await tailOffset(path.join(path.dirname(file), 'none.log'), 3), 0, 'no file: from the start (nothing)');
});

test('tailOffset across the 64 KiB chunks it reads backwards', async (t) => {
  const file = path.join(await tmp(t), 'app.log');
  const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`);
  await writeFile(file, lines.join(''));
  const text = (await readFile(file)).subarray(await tailOffset(file, 15_000)).toString();
  t.is(text, lines.slice(5_000).join(''));
});

test("startNewRun: the last run's log becomes NAME.previous.log (the one before replaced), its rotated copies go, other containers' files stay", async (t) => {
  const dir = await tmp(t);
  const log = path.join(dir, 'app.log');
  t.is(previousLogPath(log), path.join(dir, 'app.previous.log'));
  await startNewRun(log);
  t.deepEqual(await readdir(dir), [], 'a first run: nothing to keep');
  for (const [f, text] of [['app.log', 'run 2'], ['app.previous.log', 'run 1'], ['app.log.1', 'r'], ['app.log.2', 'r'], ['web.log', 'w'], ['web.log.1', 'w']]) await writeFile(path.join(dir, f!), text!);
  await startNewRun(log);
  t.deepEqual((await readdir(dir)).sort(), ['app.previous.log', 'web.log', 'web.log.1']);
  t.is(await readFile(path.join(dir, 'app.previous.log'), 'utf8'), 'run 2');
});
