// copytruncate rotation on a temp dir: the current file is truncated in place (same inode, as
// the app's O_APPEND descriptor needs), at most maxFiles files, never more than maxSize copied.
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { log } from '../../../lib/log.js';
import { logLimits, LogRotator, rotateLog } from '../../../lib/pod/log-rotation.js';

log.level = 'silent'; // the warnings of the failing cases are expected

async function tempLog(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-logs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'app.log');
}

const limits = { maxSize: 100, maxFiles: 3 };

test('a file within maxSize is left alone', async (t) => {
  const file = await tempLog(t);
  await writeFile(file, 'x'.repeat(100));
  t.false(await rotateLog(file, limits));
  t.is((await readFile(file, 'utf8')).length, 100);
  t.deepEqual(await readdir(path.dirname(file)), ['app.log']);
});

test('a missing file is no error', async (t) => {
  t.false(await rotateLog(await tempLog(t), limits));
});

test('past maxSize: the last maxSize bytes go to .1, the file is truncated in place', async (t) => {
  const file = await tempLog(t);
  const body = `${'a'.repeat(150)}${'b'.repeat(100)}`;
  await writeFile(file, body);
  const ino = (await stat(file)).ino;
  t.true(await rotateLog(file, limits));
  t.is(await readFile(`${file}.1`, 'utf8'), 'b'.repeat(100));
  t.is((await stat(file)).size, 0);
  t.is((await stat(file)).ino, ino, 'same inode: the app keeps writing to it');
});

test('an O_APPEND writer goes on at the start of the truncated file', async (t) => {
  const file = await tempLog(t);
  const app = await open(file, 'a');
  t.teardown(() => app.close());
  await app.write('y'.repeat(200));
  await rotateLog(file, limits);
  await app.write('after\n');
  t.is(await readFile(file, 'utf8'), 'after\n');
});

test('rotated files shift up and at most maxFiles exist', async (t) => {
  const file = await tempLog(t);
  for (const letter of ['a', 'b', 'c', 'd', 'e']) {
    await writeFile(file, letter.repeat(120));
    t.true(await rotateLog(file, limits));
  }
  t.deepEqual((await readdir(path.dirname(file))).sort(), ['app.log', 'app.log.1', 'app.log.2']);
  t.is(await readFile(`${file}.1`, 'utf8'), 'e'.repeat(100));
  t.is(await readFile(`${file}.2`, 'utf8'), 'd'.repeat(100));
});

test('maxFiles 2 keeps the current file and one rotated', async (t) => {
  const file = await tempLog(t);
  for (const letter of ['a', 'b', 'c']) {
    await writeFile(file, letter.repeat(300));
    await rotateLog(file, { maxSize: 100, maxFiles: 2 });
  }
  t.deepEqual((await readdir(path.dirname(file))).sort(), ['app.log', 'app.log.1']);
  t.is(await readFile(`${file}.1`, 'utf8'), 'c'.repeat(100));
});

test('a copy that cannot be made (a full disk) still truncates: the cap comes first', async (t) => {
  const file = await tempLog(t);
  await writeFile(file, 'x'.repeat(300));
  await mkdir(`${file}.1`); // open(…, 'w') fails on it, as a write fails on a full disk
  t.true(await rotateLog(file, { maxSize: 100, maxFiles: 2 }));
  t.is((await stat(file)).size, 0);
});

test('a large file: only the last maxSize bytes are copied, in chunks', async (t) => {
  const file = await tempLog(t);
  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'z');
  big.write('TAIL', big.length - 4);
  await writeFile(file, big);
  t.true(await rotateLog(file, { maxSize: 1024 * 1024 + 3, maxFiles: 5 }));
  const copy = await readFile(`${file}.1`);
  t.is(copy.length, 1024 * 1024 + 3);
  t.is(copy.subarray(-4).toString(), 'TAIL');
});

test('LogRotator checks every file it is given and reports what it rotated', async (t) => {
  const a = await tempLog(t);
  const b = await tempLog(t);
  await writeFile(a, 'a'.repeat(500));
  await writeFile(b, 'b'.repeat(50));
  const rotator = new LogRotator(limits, () => [a, b, path.join(path.dirname(a), 'gone.log')]);
  t.deepEqual(await rotator.check(), [a]);
  t.deepEqual(await rotator.check(), []);
});

test('the flags: kubelet quantities, minimums, errors that name the flag', (t) => {
  t.deepEqual(logLimits('10Mi', '5'), { maxSize: 10 * 1024 * 1024, maxFiles: 5 });
  t.deepEqual(logLimits('16Ki', '2'), { maxSize: 16 * 1024, maxFiles: 2 });
  t.deepEqual(logLimits('1048576', '3'), { maxSize: 1024 * 1024, maxFiles: 3 });
  for (const size of ['15Ki', '10MB', 'lots', '', '-1']) {
    const err = t.throws(() => logLimits(size, '5'), { instanceOf: MinipodError });
    t.regex(err!.message, /^--container-log-max-size .*at least 16Ki/);
    t.is(err!.code, 'INVALID_ARGUMENT');
  }
  for (const files of ['1', '0', 'two', '2.5', '']) {
    const err = t.throws(() => logLimits('10Mi', files), { instanceOf: MinipodError });
    t.regex(err!.message, /^--container-log-max-files .*at least 2/);
  }
});
