// hostNetwork: true (issue 12, Pod field 7): the pod shares its node's network and UTS namespaces,
// as with containerd's NamespaceMode NODE; its pause holds only its IPC namespace. Checked from
// outside: /proc/PID/ns/* against the daemon's, the node's links and leases, real TCP to the node's
// address, the hostname. Only ever inside a node namespace (its daemon's network is the node's).
import { readlinkSync } from 'node:fs';
import test from 'ava';
import { NODE_ADDR } from '../../lib/node/outside.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { alive, assertNodeEmpty, leases, nodeLinks, restartTestNode, type TestNode } from '../helpers/node.js';
import { disposeImageNode, startImageNode } from '../helpers/seed.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;
const PORT = 18080;
const ns = (pid: number, kind = 'net') => readlinkSync(`/proc/${pid}/ns/${kind}`);
const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const events = async (pod: string) => (await node.cli(['events', pod, '--json'])).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as PodEvent);
/** A node.js server on the node's filesystem (no image): answers "host-net" on PORT, every address. */
const server = {
  name: 'srv',
  command: [process.execPath, '-e', `require('http').createServer((q, s) => s.end('host-net')).listen(${PORT})`],
  ports: [{ containerPort: PORT, hostPort: PORT }],
  env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
};
const hostPod = { metadata: { name: 'hn' }, spec: { hostNetwork: true, terminationGracePeriodSeconds: 1, containers: [server] } };
const normalPod = { metadata: { name: 'plain' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', command: ['sleep', 'infinity'] }] } };

test.before(async () => {
  node = await startImageNode(['busybox.tar']);
});
test.after.always(async () => {
  await disposeImageNode(node, ['busybox']);
});

test.serial('a hostNetwork pod runs in the node\'s network and UTS namespaces, with its own IPC: no veth, no lease, no netns name', async (t) => {
  const links = await nodeLinks(node);
  const leased = await leases(node);
  const pod = await node.api.request<PodRecord>('POST', '/pods', hostPod);
  t.is(pod.phase, 'Running');
  const app = pod.containers[0]!.pid!;
  t.is(ns(app), ns(node.pid), 'the app is in the daemon\'s (the node\'s) network namespace');
  t.is(ns(app, 'uts'), ns(node.pid, 'uts'), 'and its UTS namespace: the node\'s hostname');
  t.not(ns(app, 'ipc'), ns(node.pid, 'ipc'), 'IPC stays the pod\'s own');
  t.is(ns(pod.sandbox!.pid, 'ipc'), ns(app, 'ipc'), 'held by the pause');
  t.is(pod.sandbox!.hostVeth, '');
  t.is(pod.sandbox!.netns, ns(node.pid));
  t.deepEqual(await nodeLinks(node), links, 'no new veth or bridge port');
  t.deepEqual(await leases(node), leased, 'no IP lease');
  t.deepEqual((await node.sh(['ip', 'netns', 'list'])).stdout.trim(), '', 'no `ip netns` name');
  const normal = await node.api.request<PodRecord>('POST', '/pods', normalPod);
  t.teardown(async () => void (await node.cli(['rm', '-f', 'plain'])));
  t.not(ns(normal.containers[0]!.pid!), ns(app), 'a normal pod has its own');
});

test.serial('its IP is the node\'s address (status.podIP, the fieldRef, get -o wide); its hostname the node\'s', async (t) => {
  const pod = await get('hn');
  t.is(pod.ip, '', 'nothing leased');
  t.is(pod.hostIP, NODE_ADDR, 'the address of uplink0, the node\'s default route');
  t.is((await node.cli(['exec', 'hn', '--', 'sh', '-c', 'echo $POD_IP'])).stdout.trim(), NODE_ADDR);
  const json = JSON.parse((await node.cli(['get', 'pod', 'hn', '-o', 'json'])).stdout);
  t.like(json, { spec: { hostNetwork: true }, status: { podIP: NODE_ADDR, podIPs: [{ ip: NODE_ADDR }], hostIP: NODE_ADDR } });
  const wide = (await node.cli(['get', 'pods', '-o', 'wide'])).stdout;
  t.regex(wide, new RegExp(`^hn\\s.*\\s${NODE_ADDR.replaceAll('.', '\\.')}\\s.*\\s${pod.sandbox!.pid}\\s+net:\\[\\d+\\]\\s+<none>\\s*$`, 'm'), 'the node\'s net:[inode], no veth');
  t.is((await node.cli(['exec', 'hn', '--', 'hostname'])).stdout, (await node.sh(['hostname'])).stdout);
});

test.serial('describe, topology and gc know it: no veth, the node\'s namespace, nothing stray', async (t) => {
  const described = (await node.cli(['describe', 'pod', 'hn'])).stdout;
  t.regex(described, /Host Network:\s+true/);
  t.regex(described, /Host Veth:\s+<none> \(hostNetwork\)/);
  const topo = (await node.cli(['topology'])).stdout;
  t.regex(topo, new RegExp(`${ns(node.pid).replace(/[[\]]/g, '\\$&')} \\(hostNetwork: the node's own, no veth\\)`));
  t.regex(topo, /does not fit\n {2}\(nothing\)/);
  t.is((await node.cli(['gc'])).stdout, 'nothing to collect: every object belongs to a pod\n', 'the node\'s namespace is no stray');
});

test.serial('a server in the pod answers on the node\'s address: from the node, and from a normal pod on the bridge (real TCP)', async (t) => {
  await waitFor(async () => (await get('hn')).containers[0]!.ready, 'the port readiness (the node\'s /proc/net/tcp)');
  t.is((await node.sh(['curl', '-sS', '--max-time', '5', `http://${NODE_ADDR}:${PORT}/`])).stdout, 'host-net');
  await node.api.request<PodRecord>('POST', '/pods', normalPod);
  t.teardown(async () => void (await node.cli(['rm', '-f', 'plain'])));
  t.is((await node.cli(['exec', 'plain', '--', 'curl', '-sS', '--max-time', '5', `http://${NODE_ADDR}:${PORT}/`])).stdout, 'host-net');
  t.is((await node.sh(['nft', 'list', 'map', 'ip', 'minipod', 'hostports'])).stdout.includes(String(PORT)), false, 'no DNAT: the process binds the port itself');
});

test.serial('hostPort different from containerPort is refused, naming the field, and nothing is made', async (t) => {
  const links = await nodeLinks(node);
  const bad = { metadata: { name: 'bad' }, spec: { hostNetwork: true, containers: [{ ...server, ports: [{ containerPort: 9000, hostPort: 9001 }] }] } };
  const err = await t.throwsAsync(node.api.request('POST', '/pods', bad));
  t.regex(err!.message, /spec\.containers\[0\]\.ports\[0\]\.hostPort: 9001 must match containerPort 9000 when hostNetwork is true/);
  const ipc = await t.throwsAsync(node.api.request('POST', '/pods', { ...bad, spec: { ...bad.spec, hostIPC: true, containers: [server] } }));
  t.regex(ipc!.message, /spec\.hostIPC: is not supported/);
  t.is((await node.cli(['get', 'pod', 'bad'])).exitCode !== 0, true);
  t.deepEqual(await nodeLinks(node), links);
});

test.serial('an image container (busybox) with hostNetwork sees the node\'s interfaces and hostname', async (t) => {
  const pod = await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'bb' }, spec: { hostNetwork: true, terminationGracePeriodSeconds: 1, containers: [{ name: 'bb', image: 'busybox', command: ['sleep', '3600'] }] } });
  t.teardown(async () => void (await node.cli(['rm', '-f', 'bb'])));
  const pid = pod.containers[0]!.pid!;
  t.is(ns(pid), ns(node.pid), 'runc left it in the node\'s network namespace (no network entry in config.json)');
  t.is(ns(pid, 'uts'), ns(node.pid, 'uts'));
  t.not(ns(pid, 'mnt'), ns(node.pid, 'mnt'), 'its own root filesystem still');
  const dev = (await node.cli(['exec', 'bb', '--', 'cat', '/proc/net/dev'])).stdout;
  t.regex(dev, /uplink0:/);
  t.regex(dev, /minipod0:/);
  t.is((await node.cli(['exec', 'bb', '--', 'cat', '/etc/hostname'])).stdout, (await node.sh(['hostname'])).stdout);
});

test.serial('kill the pause: a new one, still on the node\'s network, nothing network to rebuild', async (t) => {
  const before = await get('hn');
  const links = await nodeLinks(node);
  process.kill(before.sandbox!.pid, 'SIGKILL');
  const after = await waitFor(async () => {
    const p = await get('hn');
    return p.phase === 'Running' && p.sandbox?.attempt === 1 && p.containers[0]!.ready ? p : undefined;
  }, 'the sandbox recreated');
  t.true(alive(node.pid), 'the daemon was never swept with the node\'s namespace');
  t.is(ns(after.containers[0]!.pid!), ns(node.pid));
  t.is(after.sandbox!.hostVeth, '');
  t.deepEqual(await nodeLinks(node), links);
  t.regex((await events('hn')).find((e) => e.reason === 'SandboxRecreated')!.message, /hostNetwork: still the node's net:\[\d+\]/);
  t.is((await node.sh(['curl', '-sS', '--max-time', '5', `http://${NODE_ADDR}:${PORT}/`])).stdout, 'host-net');
});

test.serial('node restart re-adopts it as it runs; rm leaves nothing', async (t) => {
  const before = await get('hn');
  node = await restartTestNode(node);
  const after = await get('hn');
  t.like(after, { phase: 'Running', sandbox: { pid: before.sandbox!.pid, attempt: before.sandbox!.attempt }, containers: [{ pid: before.containers[0]!.pid }] });
  t.regex((await events('hn')).find((e) => e.reason === 'Restored')!.message, /re-adopted pause/);
  t.is((await node.cli(['rm', '-f', 'hn'])).exitCode, 0);
  t.true(alive(node.pid));
  await assertNodeEmpty(t, node);
});
