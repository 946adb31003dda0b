// Loads a CommonJS bundle with the V8 code cache `npm run build` wrote beside it (FILE.cache), so
// V8 skips parsing and compiling what the cache holds: the daemon's 1.2 MB bundle loads in about
// half the time (README, "Benchmarks"). Node 20 has no compile cache of its own (module.
// enableCompileCache is Node 22's). V8 takes a cache only under the flags it was made with, and
// checks a source's length, not its text: the cache starts with the SHA-1 of the source it was made
// from, and a cache that does not match (another build, another Node, other flags) is ignored.
'use strict';

const { hash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const HASH_LENGTH = 40; // hex SHA-1

/** Compile and run file as a CommonJS module, with its cache if that is its own; its exports and script. */
function load(file, useCache) {
  const source = readFileSync(file, 'utf8');
  const digest = hash('sha1', source);
  let cachedData;
  if (useCache) {
    try {
      const cache = readFileSync(`${file}.cache`);
      if (cache.toString('latin1', 0, HASH_LENGTH) === digest) cachedData = cache.subarray(HASH_LENGTH);
    } catch {
      // no cache: compiled as any module is
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const mod = { exports: {}, id: file, filename: file, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, script, digest };
}

/** The bundle's exports, loaded with its code cache when it has a good one. */
function requireCached(file) {
  return load(file, true).exports;
}

/** Write file's cache: run it under the flags it will run with (`node FLAGS -e …`), after it is built. */
function writeCodeCache(file) {
  const { script, digest } = load(file, false);
  writeFileSync(`${file}.cache`, Buffer.concat([Buffer.from(digest, 'latin1'), script.createCachedData()]));
}

module.exports = { requireCached, writeCodeCache };
