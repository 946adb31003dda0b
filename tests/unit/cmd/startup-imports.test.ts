// What a command loads before it runs (issue 13: a CLI process at the floor of any Node process).
// Read from the esbuild bundle `npm run build` makes (dist/cli/): the files minipod.js imports
// statically, transitively, must not hold the daemon's libraries (execa, pino, zod, yaml, tar,
// each tens of milliseconds to read and compile); a verb that needs one imports it when it runs.
// The daemon's chunk must not hold what only `image import` (tar) or the CLI (yaml) needs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { execa } from 'execa';

const CLI = fileURLToPath(new URL('../../../cli/', import.meta.url)); // dist/cli/

/** The bundle's files reached from `entry` by static imports (not import()), and the bare packages they import. */
function staticallyLoaded(entry: string): { files: Map<string, string>; packages: Set<string> } {
  const files = new Map<string, string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    const text = readFileSync(path.join(CLI, file), 'utf8');
    files.set(file, text);
    for (const [, spec] of text.matchAll(/^import\s+(?:[^"';]*?\s+from\s+)?"([^"]+)"/gm)) {
      if (spec!.startsWith('./')) visit(spec!.slice(2));
      else if (!spec!.startsWith('node:')) packages.add(spec!);
    }
  };
  visit(entry);
  return { files, packages };
}

/** The npm packages esbuild inlined into these files (it writes `// node_modules/NAME/…` above each module). */
const inlined = (files: Map<string, string>) => new Set([...files.values()].flatMap((t) => [...t.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]!)));

test('a command starts without execa, pino, zod, yaml or tar: only yargs is loaded before the verb runs', (t) => {
  if (!existsSync(CLI)) return t.fail('dist/cli/ is missing: run `npm run build`');
  const { files, packages } = staticallyLoaded('minipod.js');
  t.deepEqual([...packages], [], 'no package imported (yargs, CommonJS, is required: cmd/minipod.ts)');
  const heavy = ['execa', 'pino', 'zod', 'yaml', 'tar'];
  t.deepEqual([...inlined(files)].filter((p) => heavy.includes(p)), [], `loaded at start: ${[...files.keys()].join(' ')}`);
});

test("the daemon's chunk loads neither yaml (manifest text is parsed by the CLI) nor tar (only `image import` needs it)", (t) => {
  const chunk = readdirSync(CLI).find((f) => /^daemon-[A-Z0-9]+\.js$/.test(f));
  if (!chunk) return t.fail('no daemon chunk in dist/cli/: run `npm run build`');
  const { files, packages } = staticallyLoaded(chunk);
  t.false(packages.has('yaml'));
  t.deepEqual([...inlined(files)].filter((p) => p === 'tar' || p === 'yaml'), []);
  t.true(inlined(files).has('zod'), 'the test reads the bundle as it is: the daemon does validate with zod');
});

test("the quick listings' bundle (quick.cjs) holds none of those, nor yargs, and never loads node:http", (t) => {
  const file = path.join(CLI, 'quick.cjs');
  if (!existsSync(file)) return t.fail('dist/cli/quick.cjs is missing: run `npm run build`');
  const text = readFileSync(file, 'utf8');
  t.deepEqual([...inlined(new Map([['quick.cjs', text]]))].filter((p) => ['yargs', 'execa', 'pino', 'zod', 'yaml', 'tar', 'cli-table3'].includes(p)), []);
  const required = new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
  t.false(required.has('node:http'), 'getOnce speaks HTTP over node:net (lib/api/get-once.ts)');
  t.deepEqual([...required].filter((r) => !r.startsWith('node:')), [], 'cli-table3 and yaml are imported by the formats that need them');
});

for (const [bundle, what] of [['daemon.cjs', "a node's daemon"], ['node.cjs', '`node start|stop|restart|env`']] as const) {
  test(`${what}'s bundle (${bundle}) inlines its packages, and V8 takes its code cache (it runs with no Node flags)`, async (t) => {
    const file = path.join(CLI, bundle);
    if (!existsSync(file)) return t.fail(`dist/cli/${bundle} is missing: run \`npm run build\``);
    const text = readFileSync(file, 'utf8');
    const required = new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
    t.deepEqual([...required].filter((r) => !r.startsWith('node:') && !builtinModules.includes(r)), [], 'every package inlined: one file to read and compile');
    t.false(/\bimport\(/.test(text.replace(/\/\/.*$/gm, '')), 'no import() left: bin/require-cached.js compiles it without importModuleDynamically');
    // tar is in the daemon's, run only by `image import` (esbuild evaluates what is imported with import() when the import runs).
    // execa is the tests' and the bench's only: lib/os/child.ts runs minipod's commands.
    t.deepEqual([...inlined(new Map([[bundle, text]]))].filter((p) => ['yargs', 'yaml', 'cli-table3', 'execa'].includes(p)), []);
    const cached = fileURLToPath(new URL('../../../../bin/require-cached.js', import.meta.url));
    // The script on stdin: -e would be one of the process's flags (process.execArgv), which name its cache.
    const { stdout } = await execa(process.execPath, ['-', cached, file], { input: 'process.stdout.write(String(require(process.argv[2]).cacheTaken(process.argv[3])))' });
    t.is(stdout, 'true', 'no cache V8 takes: made under other flags or by another Node');
  });
}

test("the node verbs' bundle holds none of the daemon: a restart's CLI loads only what it runs", (t) => {
  const text = readFileSync(path.join(CLI, 'node.cjs'), 'utf8');
  t.false(text.includes('// lib/daemon.ts'), 'lib/daemon.ts is in node.cjs');
  t.false(text.includes('// lib/pod/manager.ts'), 'lib/pod/manager.ts is in node.cjs');
});
