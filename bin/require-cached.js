// Loads a CommonJS bundle with a V8 code cache `npm run build` wrote beside it, so V8 skips parsing
// and compiling what the cache holds: a 1.2 MB bundle loaded in 50-60 ms instead of 90-120
// (README, "Benchmarks"). Node 20 has no compile cache of its own (module.enableCompileCache is
// Node 22's). V8 takes a cache only under the flags it was made with: the one `npm run build` makes
// is FILE.plain.cache, for no flags (the daemon and the CLI run with none), and a process given
// flags looks for FILE.<hash of the flags>.cache, which nothing makes. V8 checks a source's length, not its text:
// a cache starts with the SHA-1 of the source it was made from, and one that does not match
// (another build) is ignored, as V8 ignores one of another Node.
'use strict';

const { createHash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const HASH_LENGTH = 40; // hex SHA-1

/** Hex SHA-1 (crypto.hash would do, from Node 20.12 only: package.json allows 20.8). */
const sha1 = (text) => createHash('sha1').update(text).digest('hex');

/** The cache for this process's Node flags. */
const cacheFile = (file) => `${file}.${process.execArgv.length ? sha1(process.execArgv.join('\0')).slice(0, 12) : 'plain'}.cache`;

/** Compile and run file as a CommonJS module, with its cache if that is its own; its exports and script. */
function load(file, useCache) {
  const source = readFileSync(file, 'utf8');
  const digest = sha1(source);
  let cachedData;
  if (useCache) {
    try {
      const cache = readFileSync(cacheFile(file));
      if (cache.toString('latin1', 0, HASH_LENGTH) === digest) cachedData = cache.subarray(HASH_LENGTH);
    } catch {
      // no cache: compiled as any module is
    }
  }
  // No importModuleDynamically: esbuild turns the bundle's import() into require() (tests/unit/cmd/startup-imports).
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const mod = { exports: {}, id: file, filename: file, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, script, digest, cached: cachedData !== undefined && !script.cachedDataRejected };
}

/** The bundle's exports, loaded with its code cache when it has a good one. */
function requireCached(file) {
  return load(file, true).exports;
}

/** Write file's cache for this process's flags: run under the flags it will run with, after it is built (scripts/code-cache.cjs). */
function writeCodeCache(file) {
  const { script, digest } = load(file, false);
  writeFileSync(cacheFile(file), Buffer.concat([Buffer.from(digest, 'latin1'), script.createCachedData()]));
}

/** Whether file loads with a cache V8 takes, under this process's flags (tests/unit/cmd/startup-imports). */
function cacheTaken(file) {
  return load(file, true).cached;
}

module.exports = { requireCached, writeCodeCache, cacheTaken };
