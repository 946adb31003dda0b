// hostPort (issue 11, point 2): a container port published on the node, as the CNI portmap plugin
// does (network/hostports.ts): reachable from the outside namespace and from the node itself, kept
// across sandbox recreation (the IP is kept) and daemon restarts, removed with the pod; a hostPort
// already taken is refused before anything is made; hostIP limits it to one node address.
import test from 'ava';
import { NODE_ADDR } from '../../lib/node/outside.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { assertNodeEmpty, CLI, leases, restartTestNode, startTestNode, type TestNode } from '../helpers/node.js';
import { importImages } from '../helpers/seed.js';
import { execa } from 'execa';

let node: TestNode;
const IT_WORKS = '<html><body><h1>It works!</h1></body></html>';

const web = (name: string, hostPort: number, hostIP?: string) => ({
  metadata: { name },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: 'httpd', ports: [{ containerPort: 80, hostPort, ...(hostIP ? { hostIP } : {}) }] }] },
});

/** curl from the outside namespace (the rest of the world) or from the node. */
const fromOutside = (url: string) => execa(process.execPath, [CLI, 'node', 'exec', '--dir', node.dir, '--outside', '--', 'curl', '-sS', '--max-time', '3', url], { reject: false });
const fromNode = (url: string) => node.sh(['curl', '-sS', '--max-time', '3', url]);
const mappings = async () => {
  const out = JSON.parse((await node.sh(['nft', '-j', 'list', 'table', 'ip', 'minipod'])).stdout).nftables as Record<string, { name: string; elem?: unknown[] }>[];
  return out.filter((o) => o.map).flatMap((o) => (o.map!.elem ?? []).map((e) => `${o.map!.name} ${JSON.stringify(e)}`));
};

async function get(name: string): Promise<PodRecord> {
  return node.api.request<PodRecord>('GET', `/pods/${name}`);
}

test.before(async () => {
  node = await startTestNode();
  await importImages(node, ['httpd.tar']);
});
test.after.always(async () => {
  await node?.cli(['image', 'rm', 'httpd']);
  await node?.dispose();
});

test.serial('a hostPort answers from the outside and from the node itself, on every node address', async (t) => {
  const pod = await node.api.request<PodRecord>('POST', '/pods', web('web', 8080));
  t.is(pod.phase, 'Running');
  t.is((await fromOutside(`http://${NODE_ADDR}:8080/`)).stdout.trim(), IT_WORKS);
  t.is((await fromNode(`http://${NODE_ADDR}:8080/`)).stdout.trim(), IT_WORKS);
  t.is((await fromNode(`http://${pod.gateway}:8080/`)).stdout.trim(), IT_WORKS, 'the bridge address is the node\'s too');
  t.is((await mappings()).length, 1);
});

test.serial('a hostPort already published is refused, naming the pod that holds it, and nothing is made', async (t) => {
  const before = (await leases(node)).length;
  await t.throwsAsync(node.api.request('POST', '/pods', web('other', 8080)), { message: 'hostPort TCP/8080 on every node address is already published by pod web: choose another hostPort (or hostIP), or remove pod web' });
  await t.throwsAsync(node.api.request('POST', '/pods', web('other', 8080, NODE_ADDR)), { message: /TCP\/8080 on 192\.0\.2\.10 is already published by pod web/ });
  t.deepEqual((await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods.map((p) => p.name), ['web']);
  t.is((await leases(node)).length, before);
});

test.serial('the mapping survives a sandbox recreation (same IP) and a daemon restart', async (t) => {
  const before = await get('web');
  t.is((await node.cli(['kill', 'web', '--sandbox'])).exitCode, 0);
  const after = await waitUntil(async () => {
    const p = await get('web');
    return p.sandbox?.attempt === 1 && p.containers.every((c) => c.ready) ? p : undefined;
  }, { timeoutMs: 30_000, everyMs: 100 });
  t.truthy(after, 'recovered');
  t.is(after!.ip, before.ip);
  t.is((await fromOutside(`http://${NODE_ADDR}:8080/`)).stdout.trim(), IT_WORKS);
  node = await restartTestNode(node);
  t.is((await mappings()).length, 1, 'the table was made afresh and the mapping put back, once');
  t.is((await fromOutside(`http://${NODE_ADDR}:8080/`)).stdout.trim(), IT_WORKS);
});

test.serial('rm removes the mapping and frees the port; hostIP publishes on that address only', async (t) => {
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  t.deepEqual(await mappings(), []);
  t.not((await fromOutside(`http://${NODE_ADDR}:8080/`)).exitCode, 0, 'nothing answers any more');
  const pod = await node.api.request<PodRecord>('POST', '/pods', web('only', 8080, NODE_ADDR));
  t.is((await fromOutside(`http://${NODE_ADDR}:8080/`)).stdout.trim(), IT_WORKS);
  t.not((await fromNode(`http://${pod.gateway}:8080/`)).exitCode, 0, 'not on the bridge address');
  t.is((await node.cli(['rm', '-f', 'only'])).exitCode, 0);
  t.deepEqual(await mappings(), []);
});

test.serial('a bad hostPort or hostIP is refused, naming the field', async (t) => {
  const bad = (port: Record<string, unknown>) => node.api.request('POST', '/pods', { metadata: { name: 'bad' }, spec: { containers: [{ name: 'c', image: 'httpd', ports: [{ containerPort: 80, ...port }] }] } });
  await t.throwsAsync(bad({ hostPort: 70000 }), { message: /spec\.containers\[0\]\.ports\[0\]\.hostPort/ });
  await t.throwsAsync(bad({ hostPort: 80, hostIP: 'abc' }), { message: /spec\.containers\[0\]\.ports\[0\]\.hostIP: must be an IPv4 address of the node/ });
  await t.throwsAsync(bad({ hostIP: NODE_ADDR }), { message: /spec\.containers\[0\]\.ports\[0\]\.hostIP: is set without a hostPort/ });
});

test.serial('nothing is left', async (t) => {
  await assertNodeEmpty(t, node);
});
