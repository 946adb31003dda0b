// `npm run build`, after tsc: bundles the CLI (cmd/minipod.ts and the lib/ it reaches) into
// dist/cli/ with esbuild, what bin/minipod.js runs. One file to resolve, read and link instead of
// about fifty: a command starts in less time (README, "Benchmarks"). What is imported with
// `await import()` (the daemon, node, image…) becomes a chunk of its own, loaded by the commands
// that need it. tsc's dist/ keeps serving the tests and the bench.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = path.join(ROOT, 'dist/cli');

/**
 * A module finds its neighbours (bin/minipod.js, rootfs/pause/pause…) from its own URL: in a bundle
 * it is the URL tsc would have given it in dist/, not the bundle's. base: the bundle's own URL.
 */
const distUrls = (base) => ({
  name: 'dist-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => {
      const source = await readFile(file, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const distFile = path.join(ROOT, 'dist', path.relative(ROOT, file)).replace(/\.ts$/, '.js');
      const url = `new URL(${JSON.stringify(path.relative(OUT, distFile))}, ${base}).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
});

/**
 * The build's name, written into each bundle (`__MINIPOD_BUILD__`): a SHA-256 of every source it can
 * be made from (lib/, cmd/) and of the locked packages. Two daemons of one build check a record
 * alike, so one may take the other's word for it (lib/store/handoff.ts).
 */
async function buildId() {
  const hash = createHash('sha256');
  for (const dir of ['lib', 'cmd']) {
    const files = (await readdir(path.join(ROOT, dir), { recursive: true })).filter((f) => f.endsWith('.ts')).sort();
    for (const f of files) hash.update(`${dir}/${f}\0`).update(await readFile(path.join(ROOT, dir, f))).update('\0');
  }
  return hash.update(await readFile(path.join(ROOT, 'package-lock.json'))).digest('hex');
}

/** What every bundle here is: Node 20's, with its source map and the build's name. */
const NODE_BUNDLE_OPTIONS = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', define: { __MINIPOD_BUILD__: JSON.stringify(await buildId()) } };

await rm(OUT, { recursive: true, force: true }); // no chunk of an older build left beside
await build({
  ...NODE_BUNDLE_OPTIONS,
  entryPoints: { minipod: path.join(ROOT, 'cmd/minipod.ts') },
  outdir: OUT,
  splitting: true,
  format: 'esm',
  // yargs and pino stay in node_modules: both find files of their own beside their code (yargs its
  // locales, pino its workers); so does yaml, a CommonJS package that cmd/ imports with import():
  // as a chunk it would give only a default export, not Node's named ones. The rest is bundled:
  // Node 20 loads one file much faster than the hundred small ES modules of execa, zod and tar.
  external: ['yargs', 'yargs/*', 'pino', 'yaml'],
  // What is bundled from CommonJS packages calls require() for Node's own modules, and
  // write-file-atomic names its temporary files after __filename.
  banner: { js: [
    "import { createRequire as createRequireInBundle } from 'node:module';",
    "import { fileURLToPath as fileURLToPathInBundle } from 'node:url';",
    'const require = createRequireInBundle(import.meta.url);',
    'const __filename = fileURLToPathInBundle(import.meta.url);',
  ].join('\n') },
  plugins: [distUrls('import.meta.url')],
});

// The listings bin/minipod.js answers without yargs (cmd/quick.ts), as CommonJS: Node's ES module
// loader costs a `ps` as much as the rest of it. What the listing needs is evaluated only when a
// line is taken (esbuild wraps what is imported with import() in functions it calls then);
// cli-table3 and yaml stay import()s from node_modules, made only by the formats that use them.
await build({
  ...NODE_BUNDLE_OPTIONS,
  entryPoints: [path.join(ROOT, 'cmd/quick.ts')],
  outfile: path.join(OUT, 'quick.cjs'),
  format: 'cjs',
  external: ['cli-table3', 'yaml'],
});

// A node's daemon (cmd/daemon-main.ts) and `node start|stop|restart|env` (cmd/node-main.ts) without
// yargs, each as one CommonJS file with its packages inlined, pino too (it looks beside its code
// only for transports, which the daemon does not use). Two files, not one: `node restart` loads
// the CLI's and the daemon's one after the other, and neither needs the other's code.
// bin/minipod.js loads each with the V8 code cache made here (bin/require-cached.js).
// The node commands log for a person only: pino is lib/log-for-people.ts there.
for (const [name, entry, alias] of [['daemon.cjs', 'cmd/daemon-main.ts', {}], ['node.cjs', 'cmd/node-main.ts', { pino: path.join(ROOT, 'lib/log-for-people.ts') }]]) {
  const outfile = path.join(OUT, name);
  await build({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: [path.join(ROOT, entry)],
    outfile,
    format: 'cjs',
    alias,
    plugins: [distUrls('require("node:url").pathToFileURL(__filename)')],
  });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/code-cache.cjs'), outfile], { stdio: 'inherit' });
}
