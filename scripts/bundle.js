// `npm run build`, after tsc: bundles the CLI (cmd/minipod.ts and the lib/ it reaches) into
// dist/cli/ with esbuild, what bin/minipod.js runs. One file to resolve, read and link instead of
// about fifty: a command starts in less time (README, "Benchmarks"). What is imported with
// `await import()` (the daemon, node, image…) becomes a chunk of its own, loaded by the commands
// that need it. npm packages stay in node_modules, loaded as they are (yargs finds its locales,
// pino its workers); tsc's dist/ keeps serving the tests and the bench.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = path.join(ROOT, 'dist/cli');

await rm(OUT, { recursive: true, force: true }); // no chunk of an older build left beside
await build({
  entryPoints: { minipod: path.join(ROOT, 'cmd/minipod.ts') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      // A module finds its neighbours (bin/minipod.js, rootfs/pause/pause…) from its own URL: in
      // the bundle it is the URL tsc would have given it in dist/, not the chunk's.
      name: 'dist-urls',
      setup(b) {
        b.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => {
          const source = await readFile(file, 'utf8');
          if (!source.includes('import.meta.url')) return undefined;
          const distFile = path.join(ROOT, 'dist', path.relative(ROOT, file)).replace(/\.ts$/, '.js');
          const url = `new URL(${JSON.stringify(path.relative(OUT, distFile))}, import.meta.url).href`;
          return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
        });
      },
    },
  ],
});
