// Load (issue acceptance 8): 100 pods created concurrently through the API, then removed
// concurrently: all succeed, with distinct IPs, and leave nothing behind.
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, leases, nodeLinks, startTestNode, type TestNode } from '../helpers/node.js';

let node: TestNode;

test.before(async () => {
  node = await startTestNode();
});
test.after.always(() => node?.dispose());

test.serial('100 concurrent creates, then 100 concurrent removals', async (t) => {
  const names = Array.from({ length: 100 }, (_, i) => `load-${i}`);
  const t0 = Date.now();
  const created = await Promise.all(
    names.map((name) => node.api.request<PodRecord>('POST', '/pods', { metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } })),
  );
  t.log(`created 100 pods in ${Date.now() - t0} ms`);
  t.true(created.every((p) => p.phase === 'Running'));
  t.is(new Set(created.map((p) => p.ip)).size, 100, 'distinct IPs');
  t.is(new Set(created.map((p) => p.sandbox!.netns)).size, 100, 'distinct namespaces');
  t.deepEqual((await leases(node)).sort(), created.map((p) => p.ip).sort());
  t.is((await nodeLinks(node)).filter((l) => l.startsWith('mp')).length, 100);
  const t1 = Date.now();
  await Promise.all(names.map((name) => node.api.request('DELETE', `/pods/${name}?force=true`)));
  t.log(`removed 100 pods in ${Date.now() - t1} ms`);
  await assertNodeEmpty(t, node);
});
