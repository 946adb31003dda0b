// No module imports itself back, directly or through others, and no folder of lib/ does either
// (issue 9: no import cycles; the layers are in docs/ARCHITECTURE.md). Checked on the compiled
// JavaScript, where type-only imports are gone: what is left is what Node loads.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import madge from 'madge';

const DIST = fileURLToPath(new URL('../../', import.meta.url)); // dist/

const loaded = madge([path.join(DIST, 'lib'), path.join(DIST, 'cmd')], { fileExtensions: ['js'] });

/** A file's folder (lib/pod/recover/x.js → lib/pod/recover); a file at the top of lib/ or cmd/ stands for itself. */
const folderOf = (file: string) => (file.split('/').length > 2 ? path.dirname(file) : file);

/** Every cycle between folders, as "a → b → a", found by a depth-first search. */
function folderCycles(files: Record<string, string[]>): string[] {
  const edges = new Map<string, Set<string>>();
  for (const [file, deps] of Object.entries(files)) {
    for (const dep of deps) {
      const [a, b] = [folderOf(file), folderOf(dep)];
      if (a !== b) edges.set(a, (edges.get(a) ?? new Set()).add(b));
    }
  }
  const cycles = new Set<string>();
  const done = new Set<string>();
  const visit = (node: string, trail: string[]) => {
    if (trail.includes(node)) return void cycles.add([...trail.slice(trail.indexOf(node)), node].join(' → '));
    if (done.has(node)) return;
    for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
    done.add(node);
  };
  for (const node of edges.keys()) visit(node, []);
  return [...cycles];
}

test('lib/ and cmd/ have no import cycle between files', async (t) => {
  const g = await loaded;
  t.deepEqual(g.circular(), []);
  t.true(Object.keys(g.obj()).length > 50, 'the graph holds the modules');
});

test('no folder of lib/ imports itself back through another (process ↔ sandbox, pod ↔ supervisor, api ↔ node, …)', async (t) => {
  const files = (await loaded).obj();
  t.true(Object.keys(files).every((f) => /^(lib|cmd)\//.test(f)), 'files are named from dist/, as folderOf expects');
  t.deepEqual(folderCycles(files), []);
});

test('the folder check finds a cycle when there is one', (t) => {
  t.deepEqual(folderCycles({ 'lib/a/x.js': ['lib/b/y.js'], 'lib/b/y.js': ['lib/c/z.js'], 'lib/c/z.js': ['lib/a/w.js'], 'lib/a/w.js': [] }), ['lib/a → lib/b → lib/c → lib/a']);
});
