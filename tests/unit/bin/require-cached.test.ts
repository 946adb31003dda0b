// bin/require-cached.js: a CommonJS bundle loaded with the V8 code cache beside it. The cache is
// used only for the very source it was made from: another text of the same length (V8 checks only
// the length) runs as it is, and a cache V8 refuses, or none, changes nothing but the speed.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';

const { requireCached, writeCodeCache } = createRequire(import.meta.url)('../../../../bin/require-cached.js') as {
  requireCached(file: string): Record<string, unknown>;
  writeCodeCache(file: string): void;
};

const moduleText = (answer: string) => `'use strict';
const { sibling } = require('./sibling.cjs');
module.exports = { answer: '${answer}', file: __filename, dir: __dirname, sibling }; // in the top level's bytecode, which the cache holds
`;

/** The one cache written beside file (its name says which Node flags it is for). */
async function cacheOf(file: string): Promise<string> {
  const caches = (await readdir(path.dirname(file))).filter((f) => f.startsWith(`${path.basename(file)}.`) && f.endsWith('.cache'));
  if (caches.length !== 1) throw new Error(`caches beside ${file}: ${caches.join(' ')}`);
  return path.join(path.dirname(file), caches[0]!);
}

async function bundleDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-cached-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'sibling.cjs'), "exports.sibling = 'next door';\n");
  return dir;
}

test('a bundle loads as a CommonJS module, with or without its cache', async (t) => {
  const dir = await bundleDir(t);
  const file = path.join(dir, 'bundle.cjs');
  await writeFile(file, moduleText('first'));
  const plain = requireCached(file); // no cache yet
  t.deepEqual(plain, { answer: 'first', file, dir, sibling: 'next door' });
  writeCodeCache(file);
  t.true((await readFile(await cacheOf(file))).length > 40);
  t.is(requireCached(file).answer, 'first');
});

test('a cache made from another text of the same length is not used: the new text runs', async (t) => {
  const dir = await bundleDir(t);
  const file = path.join(dir, 'bundle.cjs');
  await writeFile(file, moduleText('first'));
  writeCodeCache(file);
  await writeFile(file, moduleText('other')); // same length
  t.is(requireCached(file).answer, 'other');
});

test('a damaged cache with the right hash is refused by V8 and the bundle still runs', async (t) => {
  const dir = await bundleDir(t);
  const file = path.join(dir, 'bundle.cjs');
  await writeFile(file, moduleText('first'));
  writeCodeCache(file);
  const cacheFile = await cacheOf(file);
  const cache = await readFile(cacheFile);
  await writeFile(cacheFile, Buffer.concat([cache.subarray(0, 40), Buffer.alloc(cache.length - 40, 7)]));
  t.is(requireCached(file).answer, 'first');
});
