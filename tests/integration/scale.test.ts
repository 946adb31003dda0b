// Scale (issue 13): a node on a /16; pods come and go in rounds. What the daemon keeps for them
// grows with the pods it holds, not with the pods it ever had: after each round nothing of them is
// left (no pod, lease, link or process) and the event log grows by the same few events a pod,
// below its bound (MAX_EVENTS); GET /pods reads each app's namespaces right (from /proc, checked
// here from outside) for every pod at once.
import test from 'ava';
import type { PodList, Stats } from '../../lib/api/protocol.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { MAX_EVENTS } from '../../lib/supervisor/events.js';
import { assertNodeEmpty, leases, netnsOf, startTestNode, type TestNode } from '../helpers/node.js';

const PODS = 40;
const ROUNDS = 3;
const WIDTH = 20;
/** Events a pod adds from create to removal (SandboxCreated, Started, Killing…): a handful. */
const MOST_EVENTS_A_POD = 12;

let node: TestNode;

test.before(async () => {
  node = await startTestNode({ subnet: '10.77.0.0/16' });
});
test.after.always(() => node?.dispose());

async function pooled(names: string[], work: (name: string) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: WIDTH }, async () => {
    while (next < names.length) await work(names[next++]!);
  }));
}

const pod = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });

test.serial(`${ROUNDS} rounds of ${PODS} pods on a /16 leave nothing behind and a bounded event log`, async (t) => {
  const stats = () => node.api.request<Stats>('GET', '/stats');
  const start = await stats();
  let held = start.events;
  for (let round = 0; round < ROUNDS; round++) {
    const names = Array.from({ length: PODS }, (_, i) => `scale-${round}-${i}`);
    await pooled(names, (n) => node.api.request<PodRecord>('POST', '/pods', pod(n)));
    const { pods } = await node.api.request<PodList>('GET', '/pods');
    t.is(pods.length, PODS);
    t.is((await leases(node)).length, PODS);
    for (const p of pods) {
      const app = p.containers[0]!;
      t.is(app.netns, (await netnsOf(app.pid!)) ?? null, `${p.name}: netns as /proc shows it`);
      t.is(app.netns, p.sandbox!.netns, `${p.name}: the app is in its sandbox`);
    }
    await pooled(names, (n) => node.api.request('DELETE', `/pods/${n}?force=true`));
    const after = await stats();
    t.is(after.pods, 0);
    t.deepEqual(await leases(node), []);
    const added = after.events - held;
    t.true(added >= PODS && added <= PODS * MOST_EVENTS_A_POD, `round ${round}: ${added} events for ${PODS} pods`);
    t.true(after.events <= MAX_EVENTS);
    held = after.events;
    t.log(`round ${round}: rss ${(after.rssBytes / 1048576).toFixed(1)} MiB, heap ${(after.heapUsedBytes / 1048576).toFixed(1)} MiB, ${after.events} events held`);
  }
  await assertNodeEmpty(t, node);
});
