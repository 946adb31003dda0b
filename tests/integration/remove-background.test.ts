// `rm -f` is answered once the intent is on disk; the teardown (apps, holder, veth, netns,
// cgroup, lease) finishes in the background. Checked from outside: the pod is gone from the API
// at once, nothing is left once the teardown is done, an address is never handed out while its
// old owner is still torn down, and a daemon SIGKILLed with teardowns pending leaves nothing
// after its next start. No timing is asserted, only bounded waits.
import test from 'ava';
import { ApiClient } from '../../lib/api/client.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { alive, assertNodeEmpty, startTestNode, type TestNode } from '../helpers/node.js';

let node: TestNode;
/** The daemon's answers as a user gets them (node.api waits for the teardown after a DELETE). */
let raw: ApiClient;

test.before(async () => {
  process.env.MINIPOD_DEBUG_API = '1'; // the daemon inherits it: PUT /v1/debug/failpoints
  node = await startTestNode({ subnet: '10.89.0.0/29' }); // five pod addresses: .2 to .6
  raw = new ApiClient(node.socket);
});
test.after.always(() => node?.dispose());

const pod = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });
/** Its app ignores SIGTERM (inherited through exec): its teardown lasts the grace period (1 s), long after rm -f returned. */
const slowPod = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sh', '-c', 'trap "" TERM; exec sleep infinity'] }] } });
const names = async () => (await raw.request<{ pods: PodRecord[] }>('GET', '/pods')).pods.map((p) => p.name);
const linkExists = async (name: string) => (await node.sh(['ip', 'link', 'show', name])).exitCode === 0;

test.serial('after rm -f returns the pod is gone from the API at once; once its teardown is done nothing is left', async (t) => {
  const r = await raw.request<PodRecord>('POST', '/pods', pod('web'));
  await raw.request('DELETE', '/pods/web?force=true');
  t.deepEqual(await names(), [], 'not listed');
  await t.throwsAsync(raw.request('GET', '/pods/web'), { message: /pod web not found/ });
  await node.settled(); // bounded
  t.false(alive(r.sandbox!.pid));
  t.false(await linkExists(r.sandbox!.hostVeth));
  await assertNodeEmpty(t, node); // veth, netns, cgroup, processes, lease, record, logs
});

test.serial('a full subnet: a create after rm -f waits for the teardown and never gets an address still in use', async (t) => {
  for (let i = 0; i < 5; i++) if (i !== 2) await raw.request<PodRecord>('POST', '/pods', pod(`p${i}`));
  const slow = await raw.request<PodRecord>('POST', '/pods', slowPod('p2'));
  await raw.request('DELETE', '/pods/p2?force=true');
  const next = await raw.request<PodRecord>('POST', '/pods', pod('next'));
  t.is(next.ip, slow.ip, 'the only free address is the removed pod\'s');
  // Created only once the old owner was gone: its holder, app and veth.
  t.false(alive(slow.sandbox!.pid));
  t.false(alive(slow.containers[0]!.pid!));
  t.false(await linkExists(slow.sandbox!.hostVeth));
  t.deepEqual(new Set((await raw.request<{ pods: PodRecord[] }>('GET', '/pods')).pods.map((p) => p.ip)).size, 5, 'no address twice');
  for (const n of await names()) await raw.request('DELETE', `/pods/${n}?force=true`);
  await assertNodeEmpty(t, node);
});

test.serial('a pod of the name of one being torn down: created once the teardown is done, with its own uid', async (t) => {
  const old = await raw.request<PodRecord>('POST', '/pods', slowPod('same'));
  await raw.request('DELETE', '/pods/same?force=true');
  const fresh = await raw.request<PodRecord>('POST', '/pods', pod('same'));
  t.not(fresh.uid, old.uid);
  t.false(alive(old.sandbox!.pid), 'the old holder was gone first');
  await node.cli(['rm', '-f', 'same']);
  await assertNodeEmpty(t, node);
});

test.serial('a daemon SIGKILLed in the middle of background teardowns leaves nothing after its next start', async (t) => {
  for (let i = 0; i < 4; i++) await raw.request('POST', '/pods', pod(`k${i}`));
  await raw.request('PUT', '/debug/failpoints', { names: ['remove/delete-sandbox:kill'] });
  // Answered before the daemon dies (the kill comes after the apps are stopped), or cut off by it.
  await Promise.allSettled([0, 1, 2, 3].map((i) => raw.request('DELETE', `/pods/k${i}?force=true`)));
  t.true(await waitUntil(async () => (alive(node.pid) ? undefined : true), { timeoutMs: 10_000, everyMs: 20 }), 'the daemon was killed mid-teardown');
  node = await startTestNode({ subnet: '10.89.0.0/29' }, node.dir);
  raw = new ApiClient(node.socket);
  t.deepEqual(await names(), [], 'every removal finished by the next start');
  t.regex((await node.cli(['gc'])).stdout, /nothing to collect/);
  await assertNodeEmpty(t, node);
});

test.serial('rm -f of a pod already being removed is NOT_FOUND, as a second delete is', async (t) => {
  await raw.request<PodRecord>('POST', '/pods', slowPod('twice'));
  await raw.request('DELETE', '/pods/twice?force=true');
  const second = await node.cli(['rm', '-f', 'twice']);
  t.not(second.exitCode, 0);
  t.regex(second.stderr, /pod twice not found/);
  await assertNodeEmpty(t, node);
});
