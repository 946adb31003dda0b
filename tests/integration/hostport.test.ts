// hostPort (issue 11, point 2): a container port published on the node, as the CNI portmap plugin
// does (network/hostports.ts): reachable from the outside namespace and from the node itself, kept
// across sandbox recreation (the IP is kept) and daemon restarts, removed with the pod; a hostPort
// already taken is refused before anything is made; hostIP limits it to one node address. As
// portmap: from the node's 127.0.0.1 and localhost too, and by hairpin (a pod to its own hostPort,
// or another pod's, through a node address). Nothing leaks (point 6): an element no pod owns is
// listed by `gc` and removed by `--fix`; a daemon SIGKILLed in create after the port was claimed
// or published leaves nothing the next start does not clear.
import { existsSync, readFileSync } from 'node:fs';
import test from 'ava';
import { NODE_ADDR } from '../../lib/node/outside.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { alive, assertNodeEmpty, CLI, hostPortMappings, leases, restartTestNode, startTestNode, type TestNode } from '../helpers/node.js';
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

/** wget from inside a pod (its image's busybox, whose `wget -T` crashes: bounded by `timeout`). */
const fromPod = (pod: string, url: string) => node.cli(['exec', pod, '--', 'timeout', '5', 'wget', '-qO-', url]);
const BR_NF = '/proc/sys/net/bridge/bridge-nf-call-iptables';
const BR_NF_HOST = existsSync(BR_NF) ? BR_NF : '/dev/null';
const brnfHost = readFileSync(BR_NF_HOST, 'utf8');
const hostLocalnet = ['all', 'default'].map((d) => readFileSync(`/proc/sys/net/ipv4/conf/${d}/route_localnet`, 'utf8'));

test.before(async () => {
  process.env.MINIPOD_DEBUG_API = '1'; // the daemon inherits it: PUT /v1/debug/failpoints
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

test.serial('from the node itself, 127.0.0.1:HOSTPORT and localhost:HOSTPORT reach the pod (route_localnet on the node\'s bridge only)', async (t) => {
  t.is((await fromNode('http://127.0.0.1:8080/')).stdout.trim(), IT_WORKS);
  t.is((await fromNode('http://localhost:8080/')).stdout.trim(), IT_WORKS);
  t.is((await node.sh(['cat', '/proc/sys/net/ipv4/conf/minipod0/route_localnet'])).stdout.trim(), '1');
  t.deepEqual(['all', 'default'].map((d) => readFileSync(`/proc/sys/net/ipv4/conf/${d}/route_localnet`, 'utf8')), hostLocalnet, 'the machine\'s own untouched');
});

test.serial('route_localnet\'s guard: a pod that routes 127.0.0.1 to the node through the bridge is dropped there', async (t) => {
  const guard = async () => {
    const chain = JSON.parse((await node.sh(['nft', '-j', 'list', 'chain', 'ip', 'minipod', 'input'])).stdout).nftables as { rule?: { expr: { counter?: { packets: number } }[] } }[];
    return chain.flatMap((o) => o.rule?.expr ?? []).find((e) => e.counter)!.counter!.packets;
  };
  await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'sneak' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', command: ['sleep', 'infinity'] }] } });
  t.teardown(() => void node.cli(['rm', '-f', 'sneak']));
  const before = await guard();
  // In the pod's own namespace (a host-process pod: root there): 127.0.0.1 no longer its own loopback but the node's.
  const sneak = await node.cli(['exec', 'sneak', '--', 'sh', '-c', 'sysctl -qw net.ipv4.conf.eth0.route_localnet=1 && ip route del local 127.0.0.0/8 dev lo table local && ip route del local 127.0.0.1 dev lo table local && ip route add 127.0.0.1/32 via 10.88.0.1 dev eth0 && curl -sS --max-time 2 http://127.0.0.1:9/']); // a port no hostPort DNATs
  t.not(sneak.exitCode, 0, sneak.stdout);
  t.regex(sneak.stderr, /curl: \(28\)/, 'timed out: dropped, not answered');
  t.true((await guard()) > before, 'the guard dropped it');
  t.is((await node.cli(['rm', '-f', 'sneak'])).exitCode, 0);
});

test.serial('hairpin: a pod reaches its own hostPort through a node address, and so does another pod on the node, with or without br_netfilter', async (t) => {
  const web = await get('web');
  t.teardown(() => void node.cli(['rm', '-f', 'peer']));
  await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'peer' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: 'httpd' }] } });
  const logged = async () => (await node.cli(['logs', 'web'])).stdout.split('\n').filter((l) => l.includes('response:'));
  // br_netfilter is the machine's (a node never loads it); where it is, its switch is per namespace:
  // both paths are tried, the node's switch set in the node's namespace only.
  const switches = (await node.sh(['test', '-e', BR_NF])).exitCode === 0 ? ['1', '0'] : ['absent'];
  for (const brnf of switches) {
    if (brnf !== 'absent') t.is((await node.sh(['sysctl', '-qw', `${BR_NF.slice('/proc/sys/'.length).replaceAll('/', '.')}=${brnf}`])).exitCode, 0);
    for (const [from, url] of [['web', `http://${NODE_ADDR}:8080/`], ['web', `http://${web.gateway}:8080/`], ['peer', `http://${NODE_ADDR}:8080/`]] as const) {
      const before = (await logged()).length;
      const got = await fromPod(from, url);
      t.is(got.stdout.trim(), IT_WORKS, `${from} → ${url}, bridge-nf-call-iptables ${brnf}: ${got.stderr}`);
      // Masqueraded to the bridge address: the reply comes back through the node's conntrack.
      t.regex((await logged()).slice(before).join('\n'), new RegExp(`^\\[(::ffff:)?${web.gateway!.replaceAll('.', '\\.')}\\]:\\d+: response:200`), `${from} → ${url}`);
    }
  }
  t.regex((await node.sh(['bridge', '-d', 'link', 'show', 'dev', web.sandbox!.hostVeth])).stdout, /hairpin on/);
  t.is(readFileSync(BR_NF_HOST, 'utf8'), brnfHost, 'the machine\'s own switch untouched');
  t.is((await node.cli(['rm', '-f', 'peer'])).exitCode, 0);
});

test.serial('gc lists a hostPort mapping no pod owns, with its map, key and pod IP; --fix removes it and leaves the pod\'s', async (t) => {
  const web = await get('web');
  const added = await node.sh(['nft', 'add', 'element', 'ip', 'minipod', 'hostports', '{ tcp . 9999 : 10.88.0.250 . 80 }']);
  t.is(added.exitCode, 0, added.stderr);
  const listed = await node.cli(['gc']);
  t.regex(listed.stdout, /^hostport hostports tcp \. 9999 : 10\.88\.0\.250 \. 80 +\(an element of map hostports in table ip minipod that DNATs tcp \. 9999 to 10\.88\.0\.250 \. 80, which no pod owns: no pod has pod IP 10\.88\.0\.250/m);
  t.regex(listed.stdout, /1 orphan\(s\)/, 'the pod\'s own mapping is no orphan');
  t.is((await node.cli(['gc', '--fix'])).exitCode, 0);
  t.deepEqual(await hostPortMappings(node), [`hostports tcp . 8080 : ${web.ip} . 80`]);
  t.regex((await node.cli(['gc'])).stdout, /nothing to collect/);
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

test.serial('create failing after "publish-host-ports" rolls the mapping back with the rest, and the port is free', async (t) => {
  await node.api.request('PUT', '/debug/failpoints', { names: ['create/publish-host-ports'] });
  await t.throwsAsync(node.api.request('POST', '/pods', web('crash', 8090)), { message: 'failed to create pod crash: publish host ports: failpoint create/publish-host-ports fired' });
  await node.api.request('PUT', '/debug/failpoints', { names: [] });
  await assertNodeEmpty(t, node); // the maps included
  await node.api.request<PodRecord>('POST', '/pods', web('again', 8090));
  t.is((await node.cli(['rm', '-f', 'again'])).exitCode, 0);
});

for (const step of ['persist-record', 'publish-host-ports']) {
  test.serial(`a daemon SIGKILLed in create after "${step}" (port claimed${step === 'publish-host-ports' ? ' and published' : ''}) leaves nothing the next start does not clear`, async (t) => {
    await node.api.request('PUT', '/debug/failpoints', { names: [`create/${step}:kill`] });
    await t.throwsAsync(node.api.request('POST', '/pods', web('crash', 8090)));
    const dead = await waitUntil(async () => (alive(node.pid) ? undefined : true), { timeoutMs: 10_000, everyMs: 50 });
    t.true(dead, 'the daemon was killed');
    const left = await hostPortMappings(node);
    if (step === 'publish-host-ports') t.true(left.some((m) => m.startsWith('hostports tcp . 8090 : ')), `published before the kill: ${left.join(', ')}`);
    node = await startTestNode({}, node.dir);
    t.deepEqual((await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods.map((p) => p.name), [], 'the unfinished pod is removed');
    t.deepEqual(await hostPortMappings(node), []);
    t.regex((await node.cli(['gc'])).stdout, /nothing to collect/);
    await node.api.request<PodRecord>('POST', '/pods', web('again', 8090)); // the claim went with the daemon
    t.is((await fromOutside(`http://${NODE_ADDR}:8090/`)).stdout.trim(), IT_WORKS);
    t.is((await node.cli(['rm', '-f', 'again'])).exitCode, 0);
    await assertNodeEmpty(t, node);
  });
}

test.serial('a bad hostPort or hostIP is refused, naming the field', async (t) => {
  const bad = (port: Record<string, unknown>) => node.api.request('POST', '/pods', { metadata: { name: 'bad' }, spec: { containers: [{ name: 'c', image: 'httpd', ports: [{ containerPort: 80, ...port }] }] } });
  await t.throwsAsync(bad({ hostPort: 70000 }), { message: /spec\.containers\[0\]\.ports\[0\]\.hostPort/ });
  await t.throwsAsync(bad({ hostPort: 80, hostIP: 'abc' }), { message: /spec\.containers\[0\]\.ports\[0\]\.hostIP: must be an IPv4 address of the node/ });
  await t.throwsAsync(bad({ hostIP: NODE_ADDR }), { message: /spec\.containers\[0\]\.ports\[0\]\.hostIP: is set without a hostPort/ });
});

test.serial('nothing is left', async (t) => {
  await assertNodeEmpty(t, node);
});
