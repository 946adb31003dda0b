// Loads a CommonJS bundle with a V8 code cache `npm run build` wrote beside it, so V8 skips parsing
// and compiling what the cache holds: a 1.2 MB bundle loaded in 50-60 ms instead of 90-120
// (README, "Benchmarks"). Node 20 has no compile cache of its own (module.enableCompileCache is
// Node 22's). V8 takes a cache only under the flags it was made with: the one `npm run build` makes
// is FILE.plain.cache, for no flags (the daemon and the CLI run with none), and a process given
// flags looks for FILE.<hash of the flags>.cache, which nothing makes.
// V8 checks a source's length, not its text. A cache starts with a line naming the source it was
// made from, its size and modification time in nanoseconds (as Python's .pyc do), and one that
// does not match (another build, an edit) is ignored, as V8 ignores one of another Node. One stat:
// hashing the source took 7-11 ms of every start, node:crypto's loading included (issue 13). A
// copy of dist/ that keeps times to less than the nanosecond (Node's cpSync, tar) loads without
// its cache: as it should, only slower (`cp -a` keeps them).
'use strict';

const { isAscii } = require('node:buffer');
const { readFileSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/** The cache for this process's Node flags (node:crypto is loaded only for a process given some). */
const cacheFile = (file) => `${file}.${process.execArgv.length ? require('node:crypto').createHash('sha1').update(process.execArgv.join('\0')).digest('hex').slice(0, 12) : 'plain'}.cache`;

/** The cache's first line: which text of file it was made from. */
function sourceStamp(file) {
  const { size, mtimeNs } = statSync(file, { bigint: true });
  return `${size} ${mtimeNs}\n`;
}

/** The source as a string: a bundle is ASCII but for a comment or two, and a one-byte string is made 2-3 times faster. */
function readSource(file) {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
}

/** Compile and run file as a CommonJS module, with its cache if that is its own; its exports and script. */
function load(file, useCache) {
  const stamp = sourceStamp(file);
  const source = readSource(file);
  let cachedData;
  if (useCache) {
    try {
      const cache = readFileSync(cacheFile(file));
      if (cache.latin1Slice(0, stamp.length) === stamp) cachedData = cache.subarray(stamp.length);
    } catch {
      // no cache: compiled as any module is
    }
  }
  // No importModuleDynamically: esbuild turns the bundle's import() into require() (tests/unit/cmd/startup-imports).
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const mod = { exports: {}, id: file, filename: file, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, script, stamp, cached: cachedData !== undefined && !script.cachedDataRejected };
}

/** The bundle's exports, loaded with its code cache when it has a good one. */
function requireCached(file) {
  return load(file, true).exports;
}

/** Write file's cache for this process's flags: run under the flags it will run with, after it is built (scripts/code-cache.cjs). */
function writeCodeCache(file) {
  const { script, stamp } = load(file, false);
  writeFileSync(cacheFile(file), Buffer.concat([Buffer.from(stamp, 'latin1'), script.createCachedData()]));
}

/** Whether file loads with a cache V8 takes, under this process's flags (tests/unit/cmd/startup-imports). */
function cacheTaken(file) {
  return load(file, true).cached;
}

module.exports = { requireCached, writeCodeCache, cacheTaken };
