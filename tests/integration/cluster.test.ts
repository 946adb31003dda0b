// Several nodes on one machine, joined without NAT (issue 11, point 3): `minipod cluster start`
// brings up node namespaces on one shared underlay (the outside namespace), each with its own
// daemon, bridge and pod subnet 10.88.N.0/24, and routes to the others' pod subnets via their
// underlay addresses (flannel's host-gw). The suite proves the seed's three rules with real TCP
// connections and a server that answers with the address it sees: pod to pod across nodes without
// NAT; node to pod and pod to node without NAT; a pod's own address is the one the others see.
// Egress to the outside is still masqueraded; recovery and live restore work on a member; the CLI
// addresses a node by name; `cluster stop` leaves nothing.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import { nodeCgroup } from '../../lib/node/node-cgroup.js';
import { OUTSIDE_ADDR, readOutside, UPLINK } from '../../lib/node/outside.js';
import { memberDir } from '../../lib/node-paths.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { alive, assertNodeEmpty, CLI, restartTestNode, type TestNode } from '../helpers/node.js';
import { importImages } from '../helpers/seed.js';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

let cluster: TestCluster;
const servers: ResultPromise[] = [];
const hostForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
const n = (i: number): TestNode => cluster.nodes[i - 1]!;

// Answers every request with the address it came from.
const ECHO = (host: string, port: number) => `require('http').createServer((q, r) => r.end('you are ' + q.socket.remoteAddress.replace('::ffff:', '') + '\\n')).listen(${port}, '${host}')`;

const echoPod = (name: string) => ({
  metadata: { name },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', command: [process.execPath, '-e', ECHO('0.0.0.0', 8080)], ports: [{ containerPort: 8080 }] }] },
});
// busybox's wget, from its image, until it gets an answer (no -T: it crashes busybox 1.35's wget).
const fetcher = (name: string, url: string) => ({
  metadata: { name },
  spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `for i in $(seq 50); do wget -qO- ${url} && break; sleep 0.2; done; sleep 600`] }] },
});

async function answerIn(node: TestNode, pod: string): Promise<string | undefined> {
  const seen = await waitUntil(async () => {
    const out = (await node.cli(['logs', pod])).stdout;
    return out.includes('you are') ? out : undefined;
  }, { timeoutMs: 15_000, everyMs: 100 });
  return seen?.trim();
}

/** A server on a node (or, with --outside, in the underlay), run as a user would: `node exec --node NAME`. */
async function serve(args: string[], host: string, port: number, from: TestNode): Promise<void> {
  servers.push(execa(process.execPath, [CLI, '--cluster-dir', cluster.dir, 'node', 'exec', ...args, '--', process.execPath, '-e', ECHO(host, port)], { reject: false }));
  const up = await waitUntil(async () => ((await from.sh(['curl', '-s', '--max-time', '2', `http://${host}:${port}/`])).exitCode === 0 ? true : undefined), { timeoutMs: 15_000, everyMs: 100 });
  if (!up) throw new Error(`the server on ${host}:${port} did not answer`);
}

const curlFrom = async (node: TestNode, url: string) => (await node.sh(['curl', '-sS', '--max-time', '5', url])).stdout.trim();

test.before(async () => {
  cluster = await startTestCluster(2);
  for (const node of cluster.nodes) await importImages(node, ['busybox.tar']);
});
test.after.always(async () => {
  for (const s of servers) s.kill('SIGKILL');
  await cluster?.dispose();
});

test.serial('each node has its own subnet and underlay address, and routes the other\'s pods via that node (host-gw)', async (t) => {
  const ls = await cluster.cli(['cluster', 'ls']);
  t.is(ls.exitCode, 0, ls.stderr);
  t.regex(ls.stdout, /^node-1\s+10\.88\.1\.0\/24\s+192\.0\.2\.11\s+Ready \(daemon \d+\)/m);
  t.regex(ls.stdout, /^node-2\s+10\.88\.2\.0\/24\s+192\.0\.2\.12\s+Ready \(daemon \d+\)/m);
  for (const [me, other] of [[1, 2], [2, 1]] as const) {
    const routes = (await n(me).sh(['ip', 'route'])).stdout;
    t.regex(routes, new RegExp(`^10\\.88\\.${other}\\.0/24 via 192\\.0\\.2\\.1${other} dev ${UPLINK}`, 'm'), `node-${me}: ${routes}`);
    t.regex(routes, new RegExp(`^10\\.88\\.${me}\\.0/24 dev minipod0`, 'm'));
    t.regex(routes, new RegExp(`^default via ${OUTSIDE_ADDR.replaceAll('.', '\\.')} dev ${UPLINK}`, 'm'));
  }
  t.is(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), hostForward, 'the host\'s forwarding is untouched');
});

test.serial('the CLI addresses a node by name: --node node-2, and cluster env', async (t) => {
  const file = path.join(cluster.dir, 'srv.json');
  await writeFile(file, JSON.stringify(echoPod('srv')));
  const run = await cluster.cli(['--node', 'node-2', 'run', '-f', file]);
  t.is(run.exitCode, 0, run.stderr);
  t.regex(run.stdout, /^pod\/srv Running 10\.88\.2\.\d+$/m, 'a pod on node 2 gets an address of node 2\'s subnet');
  t.true((await n(2).cli(['ps'])).stdout.includes('srv'));
  t.false((await n(1).cli(['ps'])).stdout.includes('srv'), 'and only node 2 has it');
  t.is((await cluster.cli(['cluster', 'env', 'node-2'])).stdout, `export MINIPOD_SOCKET=${n(2).socket}\n`);
  t.is((await cluster.cli(['--node', 'node-2', 'get', 'pod', 'srv', '-o', 'jsonpath={.spec.nodeName}'])).stdout, 'node-2', 'the pod is bound to its node by name, as spec.nodeName');
});

test.serial('rules 1 and 3: a pod on node 1 reaches a pod on node 2 by its IP; the server sees the client pod\'s own IP, the one `ip a` shows inside it', async (t) => {
  const srv = await n(2).api.request<PodRecord>('GET', '/pods/srv');
  const cli = await n(1).api.request<PodRecord>('POST', '/pods', fetcher('cli', `http://${srv.ip}:8080/`));
  t.regex(cli.ip!, /^10\.88\.1\./);
  t.is(await answerIn(n(1), 'cli'), `you are ${cli.ip}`, 'no NAT between pods of different nodes');
  const inside = await cluster.cli(['--node', 'node-1', 'exec', 'cli', '--', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
  t.true(inside.stdout.includes(` inet ${cli.ip}/24 `), inside.stdout);
  t.is((await n(1).cli(['rm', '-f', 'cli'])).exitCode, 0);
});

test.serial('rule 2: every node reaches every pod, and every pod reaches every node, without NAT', async (t) => {
  const srv = await n(2).api.request<PodRecord>('GET', '/pods/srv');
  t.is(await curlFrom(n(1), `http://${srv.ip}:8080/`), 'you are 192.0.2.11', 'node 1 → pod on node 2: the pod sees node 1\'s address');
  t.is(await curlFrom(n(2), `http://${srv.ip}:8080/`), 'you are 10.88.2.1', 'its own node reaches it over the bridge');
  await serve(['--node', 'node-1'], '192.0.2.11', 9000, n(1));
  const cli = await n(2).api.request<PodRecord>('POST', '/pods', fetcher('to-node', 'http://192.0.2.11:9000/'));
  t.is(await answerIn(n(2), 'to-node'), `you are ${cli.ip}`, 'pod on node 2 → node 1: node 1 sees the pod\'s own IP');
  t.is((await n(2).cli(['rm', '-f', 'to-node'])).exitCode, 0);
});

test.serial('egress to the outside is still masqueraded, to each node\'s own underlay address', async (t) => {
  await serve(['--node', 'node-1', '--outside'], OUTSIDE_ADDR, 8000, n(1));
  for (const i of [1, 2]) {
    await n(i).api.request<PodRecord>('POST', '/pods', fetcher(`out-${i}`, `http://${OUTSIDE_ADDR}:8000/`));
    t.is(await answerIn(n(i), `out-${i}`), `you are 192.0.2.1${i}`);
    t.is((await n(i).cli(['rm', '-f', `out-${i}`])).exitCode, 0);
  }
});

test.serial('recovery on a member: the sandbox is recreated with its IP, and node 1 reaches the pod again', async (t) => {
  const before = await n(2).api.request<PodRecord>('GET', '/pods/srv');
  t.is((await cluster.cli(['--node', 'node-2', 'kill', 'srv', '--sandbox'])).exitCode, 0);
  const after = await waitUntil(async () => {
    const p = await n(2).api.request<PodRecord>('GET', '/pods/srv');
    return p.phase === 'Running' && p.sandbox?.attempt === 1 && p.containers.every((c) => c.state === 'Running') ? p : undefined;
  }, { timeoutMs: 20_000, everyMs: 100 });
  t.truthy(after, 'recreated');
  t.is(after!.ip, before.ip);
  t.not(after!.sandbox!.netns, before.sandbox!.netns);
  const again = await waitUntil(async () => ((await curlFrom(n(1), `http://${before.ip}:8080/`)) === 'you are 192.0.2.11' ? true : undefined), { timeoutMs: 15_000, everyMs: 100 });
  t.true(again, 'reached from node 1 in its new sandbox');
});

test.serial('live restore on a member: `node restart` of node 2 re-adopts its pod; node 1 keeps reaching it', async (t) => {
  const before = await n(2).api.request<PodRecord>('GET', '/pods/srv');
  cluster.nodes[1] = await restartTestNode(n(2));
  const after = await n(2).api.request<PodRecord>('GET', '/pods/srv');
  t.is(after.containers[0]!.pid, before.containers[0]!.pid, 'the same app, re-adopted');
  t.is(after.sandbox!.pid, before.sandbox!.pid);
  t.is(await curlFrom(n(1), `http://${before.ip}:8080/`), 'you are 192.0.2.11');
  t.regex((await n(2).sh(['ip', 'route'])).stdout, /^10\.88\.1\.0\/24 via 192\.0\.2\.11 dev uplink0/m, 'its routes are kept');
});

test.serial('bad input: a clear error, a non-zero exit, and nothing changed', async (t) => {
  const bad: [string[], RegExp][] = [
    [['cluster', 'start', '--nodes', '0'], /--nodes 0: give a whole number from 1 to 50/],
    [['cluster', 'start', '--nodes', '51'], /--nodes 51: give a whole number from 1 to 50/],
    [['cluster', 'start'], /a cluster is already running in .*: stop it with `minipod cluster stop --cluster-dir /],
    [['--node', 'node-9', 'ps'], /--node node-9: no such node in the cluster in /],
    [['--node', 'web', 'ps'], /--node "web": name a cluster node as node-1, node-2/],
    [['--node', 'node-1', '--socket', '/tmp/x.sock', 'ps'], /give --socket or --node, not both/],
    [['cluster', 'env'], /cluster env needs a node name/],
  ];
  for (const [args, message] of bad) {
    const r = await cluster.cli(args);
    t.not(r.exitCode, 0, args.join(' '));
    t.regex(r.stderr, message, args.join(' '));
  }
  t.regex((await cluster.cli(['cluster', 'ls'])).stdout, /^node-2 .*Ready/m, 'the cluster still runs');
  t.false(existsSync(memberDir(cluster.dir, 3)), 'no node was made');
});

test.serial('cluster stop leaves nothing: no node, no underlay, no cgroup, no process', async (t) => {
  t.is((await n(2).cli(['rm', '-f', 'srv'])).exitCode, 0);
  for (const s of servers.splice(0)) {
    s.kill('SIGINT'); // node exec passes it on to the server, as a terminal's Ctrl-C would
    await s;
  }
  for (const node of cluster.nodes) await assertNodeEmpty(t, node);
  const outside = await readOutside(cluster.dir);
  const holders = cluster.nodes.map((node) => node.holderPid);
  const daemons = cluster.nodes.map((node) => node.pid);
  t.truthy(outside);
  await cluster.stop();
  for (const pid of [outside!, ...holders, ...daemons]) t.false(alive(pid), `pid ${pid} is gone`);
  for (const dir of [cluster.dir, memberDir(cluster.dir, 1), memberDir(cluster.dir, 2)]) {
    const cg = nodeCgroup(dir)?.dir;
    if (cg) t.false(existsSync(cg), cg);
  }
  t.regex((await cluster.cli(['cluster', 'ls'])).stdout, /^node-1 .*Stopped/m);
  t.regex((await cluster.cli(['cluster', 'stop'])).stdout, /^no cluster is running in /, 'stopping again is a no-op');
});
