// An atomic file write: the text lands whole under the file's name, and no temp file (FILE.DIGITS)
// is left behind, whether the write succeeds or fails.
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { writeAtomic } from '../../../lib/store/atomic-write.js';
import { tempDir } from '../../helpers/temp.js';

/** The temp files writeAtomic would leave beside `name` in dir: NAME.DIGITS. */
async function tempsOf(dir: string, name: string): Promise<string[]> {
  return (await readdir(dir)).filter((entry) => entry.startsWith(`${name}.`) && /^\d+$/.test(entry.slice(name.length + 1)));
}

test('the file gets the text, private (0600) by default', async (t) => {
  const dir = await tempDir(t, 'minipod-atomic-');
  const file = path.join(dir, 'web.json');
  await writeAtomic(file, '{"phase":"Running"}\n');
  t.is(await readFile(file, 'utf8'), '{"phase":"Running"}\n');
  t.is((await stat(file)).mode & 0o777, 0o600);
});

test('a mode given is the file\'s mode, and a Buffer is written as it is', async (t) => {
  const dir = await tempDir(t, 'minipod-atomic-');
  const file = path.join(dir, 'blob');
  await writeAtomic(file, Buffer.from([0, 1, 2, 255]), { mode: 0o644 });
  t.deepEqual(await readFile(file), Buffer.from([0, 1, 2, 255]));
  t.is((await stat(file)).mode & 0o777, 0o644);
});

test('replacing a file leaves only the new text and no temp file beside it', async (t) => {
  const dir = await tempDir(t, 'minipod-atomic-');
  const file = path.join(dir, 'web.json');
  await writeFile(file, 'old text, longer than the new one\n', { mode: 0o644 });
  await writeAtomic(file, 'new\n');
  t.is(await readFile(file, 'utf8'), 'new\n');
  t.is((await stat(file)).mode & 0o777, 0o600, 'the new file replaced the old one, mode and all');
  t.deepEqual(await readdir(dir), ['web.json']);
});

test('a failed rename (a directory where the file goes) throws and leaves no temp file', async (t) => {
  const dir = await tempDir(t, 'minipod-atomic-');
  const file = path.join(dir, 'web.json');
  await mkdir(file);
  await t.throwsAsync(writeAtomic(file, 'text\n'), { code: 'EISDIR' });
  t.deepEqual(await tempsOf(dir, 'web.json'), []);
  t.true((await stat(file)).isDirectory(), 'what was there stays');
});

test('a failed open (no such directory) throws and leaves no temp file', async (t) => {
  const dir = await tempDir(t, 'minipod-atomic-');
  await t.throwsAsync(writeAtomic(path.join(dir, 'pods', 'web.json'), 'text\n'), { code: 'ENOENT' });
  t.deepEqual(await readdir(dir), []);
});

test('fsync: false still writes the text', async (t) => {
  const dir = await tempDir(t, 'minipod-atomic-');
  const file = path.join(dir, 'web.json');
  await writeAtomic(file, 'unsynced\n', { fsync: false });
  t.is(await readFile(file, 'utf8'), 'unsynced\n');
  t.deepEqual(await readdir(dir), ['web.json']);
});

test('two files written at once in one directory both land, with no temp file left', async (t) => {
  const dir = await tempDir(t, 'minipod-atomic-');
  await Promise.all([writeAtomic(path.join(dir, 'a.json'), 'a\n'), writeAtomic(path.join(dir, 'b.json'), 'b\n')]);
  t.is(await readFile(path.join(dir, 'a.json'), 'utf8'), 'a\n');
  t.is(await readFile(path.join(dir, 'b.json'), 'utf8'), 'b\n');
  t.deepEqual((await readdir(dir)).sort(), ['a.json', 'b.json']);
});
