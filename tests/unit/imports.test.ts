// No module imports itself back, directly or through others (issue 9: no import cycles). Checked
// on the compiled JavaScript, where type-only imports are gone: what is left is what Node loads.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import madge from 'madge';

const DIST = fileURLToPath(new URL('../../', import.meta.url)); // dist/

test('lib/ and cmd/ have no import cycle', async (t) => {
  const graph = await madge([path.join(DIST, 'lib'), path.join(DIST, 'cmd')], { fileExtensions: ['js'] });
  t.deepEqual(graph.circular(), []);
  t.true(Object.keys(graph.obj()).length > 50, 'the graph holds the modules');
});
