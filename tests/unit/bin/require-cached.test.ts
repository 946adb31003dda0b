// bin/require-cached.js: a CommonJS bundle loaded with the V8 code cache beside it. The cache is
// used only for the very file and text it was made from (inode, size, modification and change times): another text of
// the same length (V8 checks only the length) runs as it is, and a cache V8 refuses, or none, changes nothing but the speed. Each
// step runs in a fresh Node process, as a bundle is loaded: within one, V8 compiles a source it has
// seen from its own memory and never looks at a cache.
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { execa } from 'execa';

const BIN = fileURLToPath(new URL('../../../../bin/require-cached.js', import.meta.url));

const moduleText = (answer: string) => `'use strict';
const { sibling } = require('./sibling.cjs');
module.exports = { answer: '${answer}', file: __filename, dir: __dirname, sibling }; // in the top level's bytecode, which the cache holds
`;

/** In a fresh process without flags (the script on stdin: -e would be one): write file's cache, or load it. */
async function fresh(step: 'write' | 'load', file: string): Promise<{ taken: boolean; exports: Record<string, unknown> }> {
  const script = step === 'write'
    ? 'require(process.argv[2]).writeCodeCache(process.argv[3]); process.stdout.write("{}")'
    : 'const c = require(process.argv[2]); process.stdout.write(JSON.stringify({ taken: c.cacheTaken(process.argv[3]), exports: c.requireCached(process.argv[3]) }))';
  return JSON.parse((await execa(process.execPath, ['-', BIN, file], { input: script })).stdout) as { taken: boolean; exports: Record<string, unknown> };
}

/** The one cache written beside file (its name says which Node flags it is for). */
async function cacheOf(file: string): Promise<string> {
  const caches = (await readdir(path.dirname(file))).filter((f) => f.startsWith(`${path.basename(file)}.`) && f.endsWith('.cache'));
  if (caches.length !== 1) throw new Error(`caches beside ${file}: ${caches.join(' ')}`);
  return path.join(path.dirname(file), caches[0]!);
}

async function bundle(t: { teardown(fn: () => Promise<void>): void }, answer: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-cached-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'sibling.cjs'), "exports.sibling = 'next door';\n");
  const file = path.join(dir, 'bundle.cjs');
  await writeFile(file, moduleText(answer));
  return file;
}

test('a bundle loads as a CommonJS module without a cache, and with the cache made for it V8 takes it', async (t) => {
  const file = await bundle(t, 'first');
  const before = await fresh('load', file);
  t.deepEqual(before, { taken: false, exports: { answer: 'first', file, dir: path.dirname(file), sibling: 'next door' } });
  await fresh('write', file);
  t.true(path.basename(await cacheOf(file)).endsWith('.plain.cache'), 'named for a process without flags');
  t.deepEqual(await fresh('load', file), { ...before, taken: true });
});

test('a cache made from another text of the same length is not used: the new text runs', async (t) => {
  const file = await bundle(t, 'first');
  await fresh('write', file);
  await writeFile(file, moduleText('other')); // same length
  const after = await fresh('load', file);
  t.false(after.taken);
  t.is(after.exports.answer, 'other');
});

test('a damaged cache with the right stamp is refused by V8 and the bundle still runs', async (t) => {
  const file = await bundle(t, 'first');
  await fresh('write', file);
  const cacheFile = await cacheOf(file);
  const cache = await readFile(cacheFile);
  const stamp = cache.indexOf('\n') + 1; // which file and text it was made from
  await writeFile(cacheFile, Buffer.concat([cache.subarray(0, stamp), Buffer.alloc(cache.length - stamp, 7)]));
  const after = await fresh('load', file);
  t.false(after.taken, 'V8 refuses it');
  t.is(after.exports.answer, 'first');
});

test('a bundle with text beyond ASCII is read as UTF-8, with its cache and without', async (t) => {
  const file = await bundle(t, 'déjà vu · 15 µs');
  t.is((await fresh('load', file)).exports.answer, 'déjà vu · 15 µs');
  await fresh('write', file);
  t.like(await fresh('load', file), { taken: true, exports: { answer: 'déjà vu · 15 µs' } });
});

test('another text of the same length with the old modification time put back is not given the cache', async (t) => {
  const file = await bundle(t, 'first');
  await fresh('write', file);
  const { mtime } = await stat(file);
  await writeFile(file, moduleText('other'));
  await utimes(file, mtime, mtime); // touch -r: the change time still moves
  const after = await fresh('load', file);
  t.false(after.taken);
  t.is(after.exports.answer, 'other');
});
