// Loads a CommonJS bundle with a V8 code cache `npm run build` wrote beside it, so V8 skips parsing
// and compiling what the cache holds: a 1.2 MB bundle loaded in 50-60 ms instead of 90-120
// (README, "Benchmarks"). Node 20 has no compile cache of its own (module.enableCompileCache is
// Node 22's). V8 takes a cache only under the flags it was made with: the one `npm run build` makes
// is FILE.plain.cache, for no flags (the daemon and the CLI run with none), and a process given
// flags looks for FILE.<hash of the flags>.cache, which nothing makes.
// V8 checks a source's length, not its text, and would run a cache's code for another text of that
// length. A cache starts with a line naming the very file it was made from: device and inode, size,
// and modification and change times in nanoseconds. An edit changes the change time whatever it
// does to the modification time (touch -r cannot set it back), and a copy or another build is
// another inode; a cache that does not match is ignored, as V8 ignores one of another Node. The
// stamp is taken from the descriptor the source is read through. One fstat: hashing the source took
// 7-11 ms of every start, node:crypto's loading included (issue 13). A copied dist/ loads without
// its caches, as it should, only slower, until `npm run build` makes them again.
'use strict';

const { isAscii } = require('node:buffer');
const { closeSync, fstatSync, openSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/** The cache for this process's Node flags (node:crypto is loaded only for a process given some). */
const cacheFile = (file) => `${file}.${process.execArgv.length ? require('node:crypto').createHash('sha1').update(process.execArgv.join('\0')).digest('hex').slice(0, 12) : 'plain'}.cache`;

/** A cache's first line: which file, and which text of it, the cache was made from. */
const stampOf = (st) => `${st.dev}:${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}\n`;

/** That stamp of a file by its path (a spare daemon's own files: lib/node/spare-daemon.ts). */
const fileStamp = (file) => stampOf(statSync(file, { bigint: true }));

/**
 * The source as a string, and its stamp, both through one descriptor: a build that replaces the
 * file meanwhile cannot pair one file's stamp with the other's text. A bundle is ASCII but for a
 * comment or two, and a one-byte string is made 2-3 times faster than from UTF-8.
 */
function readSource(file) {
  const fd = openSync(file, 'r');
  try {
    const stamp = stampOf(fstatSync(fd, { bigint: true }));
    const bytes = readFileSync(fd);
    return { stamp, source: isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8') };
  } finally {
    closeSync(fd);
  }
}

/** Compile and run file as a CommonJS module, with its cache if that is its own; its exports and script. */
function load(file, useCache) {
  const { stamp, source } = readSource(file);
  let cachedData;
  if (useCache) {
    try {
      const cache = readFileSync(cacheFile(file));
      if (cache.toString('latin1', 0, stamp.length) === stamp) cachedData = cache.subarray(stamp.length);
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
  const loaded = load(file, true);
  // Which text of it runs here, for a spare daemon to tell whether it is still the one on disk (lib/node/spare-daemon.ts).
  (globalThis.minipodLoaded ??= {})[file] = loaded.stamp;
  return loaded.exports;
}

/** Write file's cache for this process's flags: run under the flags it will run with, after it is built (scripts/code-cache.cjs). */
function writeCodeCache(file) {
  const { script, stamp } = load(file, false);
  // Changed while it ran (a build still writing): no cache, rather than one for a text it was not made from.
  if (stampOf(statSync(file, { bigint: true })) !== stamp) throw new Error(`${file} changed while its code cache was made: build again`);
  writeFileSync(cacheFile(file), Buffer.concat([Buffer.from(stamp, 'latin1'), script.createCachedData()]));
}

/** Whether file loads with a cache V8 takes, under this process's flags (tests/unit/cmd/startup-imports). */
function cacheTaken(file) {
  return load(file, true).cached;
}

module.exports = { requireCached, writeCodeCache, cacheTaken, fileStamp };
