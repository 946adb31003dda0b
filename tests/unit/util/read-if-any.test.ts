// A small file's text, at once or on the thread pool (lib/util/read-if-any.ts).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { readFileIfAny, readText, readTextIfAny } from '../../../lib/util/read-if-any.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-read-'));
test.after.always(() => rm(dir, { recursive: true, force: true }));

test('readText gives the whole text: a few bytes, one of exactly its first buffer, one many times larger, UTF-8 across the reads', async (t) => {
  const texts = { small: 'pod-1\n', exact: 'x'.repeat(4096), large: `a${'é'.repeat(10_000)}\n${'z'.repeat(20_001)}`, empty: '' };
  for (const [name, text] of Object.entries(texts)) {
    const file = path.join(dir, name);
    await writeFile(file, text);
    t.is(await readText(file), text, name);
    t.is(await readTextIfAny(file), text, name);
    t.is(readFileIfAny(file), text, name);
  }
});

test('a /proc file, which comes a page at a time, is read to its end as readFile reads it', async (t) => {
  // The mount table may change between two reads (other tests mount): compared until two agree, a few times at most.
  let ours = '';
  let theirs = '';
  for (let i = 0; i < 5 && (!ours || ours !== theirs); i++) [ours, theirs] = [await readText('/proc/self/mountinfo'), await readFile('/proc/self/mountinfo', 'utf8')];
  t.is(ours, theirs);
  t.true(ours.endsWith('\n'));
});

test('a missing file: readText rejects with ENOENT as readFile does, the others say undefined', async (t) => {
  const missing = path.join(dir, 'gone');
  await t.throwsAsync(readText(missing), { code: 'ENOENT' });
  t.is(await readTextIfAny(missing), undefined);
  t.is(readFileIfAny(missing), undefined);
  await t.throwsAsync(readText(dir), { code: 'EISDIR' }, 'a directory opens but cannot be read');
});
