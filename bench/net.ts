// The pod network's cost (issue 11, point 7), in the bench's node: what a hostPort adds to a pod,
// and the same work done by the CNI portmap plugin; what egress costs a pod, against the CNI
// bridge plugin's ipMasq; and pod-to-pod latency and throughput within the node against two bare
// namespaces joined by one veth pair (the floor). The CNI plugins run inside the node, their
// rules in its namespace only; the bridge plugin gets a bridge of its own.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { ApiClient } from '../lib/api/client.js';
import { nodeExecArgv, type NodeInfo } from '../lib/node/node-namespace.js';
import { NODE_ADDR, outsideExecArgv, readOutside } from '../lib/node/outside.js';
import { tools } from '../lib/os/host.js';
import { findTool } from '../lib/os/tools.js';
import type { PodRecord } from '../lib/pod/types.js';
import { bridgeConfig, cni, cniChains, CNI_PATH, NodeRunner, portmapConfig, removeCniChains } from './cni.js';
import { bareNamespace, measurePaths, missingTools, pathLines, podEnd, ratioLine, vethFloor } from './path.js';
import { percentile, summary } from './stats.js';

const RUNS = Number(process.env.BENCH_NET_RUNS ?? 20);
const BRIDGE_RUNS = Number(process.env.BENCH_BRIDGE_RUNS ?? 10);
const median = (xs: number[]) => percentile(xs, 50);
const ms = (n: number) => `${n.toFixed(1)} ms`;

const sleeper = (name: string, hostPort?: number) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', '1000'], ports: [{ containerPort: 80, ...(hostPort ? { hostPort } : {}) }] }] } });

/** minipod's hostPort publish step and portmap's ADD (or why it was not measured), ms. */
export interface NetFigures {
  publish: number[];
  portmapAdd?: number[];
  portmapWhy?: string;
}

export async function benchNet(node: NodeInfo, api: ApiClient): Promise<NetFigures> {
  console.log(`\nnetwork: hostPort and egress per pod (${RUNS} pods with one hostPort, ${RUNS} without, interleaved), the same work by CNI plugins in the node, pod-to-pod paths`);
  const runner = new NodeRunner(node);
  let figures: NetFigures;
  try {
    const rulesBefore = await ruleset(node);
    const { hostPort, plain } = await hostPortPods(api);
    const rulesWith = await ruleset(node);
    console.log(summary('create, no hostPort: POST → Running (round trip)', plain.create));
    console.log(summary('create, one hostPort: POST → Running (round trip)', hostPort.create));
    console.log(summary('  its publish step in the daemon (one nft -f)', hostPort.publish));
    const pods = await Promise.all(Array.from({ length: RUNS }, (_, i) => api.request<PodRecord>('GET', `/pods/np-${i}`)));
    let portmapWhy: string | undefined;
    const portmap = await portmapRuns(node, api, runner, pods).catch((err: Error) => void console.log(`portmap: not measured (${(portmapWhy = err.message.split('\n')[0])})`));
    figures = { publish: hostPort.publish, ...(portmap ? { portmapAdd: portmap.add } : { portmapWhy }) };
    const rm = await removePods(api);
    console.log(summary('rm -f, no hostPort (round trip)', rm.plain));
    console.log(summary('rm -f, one hostPort (round trip)', rm.hostPort));
    if (portmap) {
      console.log(summary('CNI portmap ADD (one mapping), in the node', portmap.add));
      console.log(summary('CNI portmap DEL', portmap.del));
      console.log(`ratio: portmap ADD / minipod's publish step = ${(median(portmap.add) / median(hostPort.publish)).toFixed(1)}×; a hostPort adds ${ms(median(hostPort.create) - median(plain.create))} to a pod's creation (round trip medians), portmap ADD alone ${ms(median(portmap.add))}`);
      console.log(`portmap checked: one TCP connect from the outside to ${NODE_ADDR}:${portmap.checkedPort} answered through its mapping; after every DEL, ${portmap.leftPerPod} per-pod chains were left, and its ${portmap.shared} shared chains (which it never removes) were removed by the bench`);
    }
    // Egress: one masquerade rule per node, made at daemon start; nothing per pod.
    console.log(`egress: nft rules in the node: ${rulesBefore.rules} with no pod, ${rulesWith.rules} with ${2 * RUNS} pods (map elements ${rulesBefore.elements} → ${rulesWith.elements}: the hostPorts); per-pod egress work: none`);
    await bridgeRuns(node, runner).catch((err: Error) => console.log(`bridge ipMasq: not measured (${err.message.split('\n')[0]})`));
  } finally {
    await runner.close();
  }
  await paths(node, api);
  return figures;
}

/** The node's nft ruleset: its rules and the elements of its maps. */
async function ruleset(node: NodeInfo): Promise<{ rules: number; elements: number }> {
  const [file, ...args] = nodeExecArgv(node, [tools().nft!, '-j', 'list', 'ruleset']);
  const objs = (JSON.parse((await execa(file!, args)).stdout) as { nftables: { rule?: unknown; map?: { elem?: unknown[] } }[] }).nftables;
  return { rules: objs.filter((o) => o.rule).length, elements: objs.reduce((n, o) => n + (o.map?.elem?.length ?? 0), 0) };
}

async function hostPortPods(api: ApiClient) {
  // Warm-up: the first pod with a hostPort pays for the daemon's first nft run.
  await api.request('POST', '/pods', sleeper('hp-warmup', 29999));
  await api.request('DELETE', '/pods/hp-warmup?force=true');
  const hostPort = { create: [] as number[], publish: [] as number[] };
  const plain = { create: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const withPort of i % 2 ? [false, true] : [true, false]) {
      const t0 = performance.now();
      const r = await api.request<PodRecord>('POST', '/pods', sleeper(withPort ? `hp-${i}` : `np-${i}`, withPort ? 30000 + i : undefined));
      (withPort ? hostPort : plain).create.push(performance.now() - t0);
      if (withPort) hostPort.publish.push(r.timings!.hostPortsMs!);
    }
  }
  return { hostPort, plain };
}

async function removePods(api: ApiClient) {
  const out = { hostPort: [] as number[], plain: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const withPort of [true, false]) {
      const t0 = performance.now();
      await api.request('DELETE', `/pods/${withPort ? 'hp' : 'np'}-${i}?force=true`);
      (withPort ? out.hostPort : out.plain).push(performance.now() - t0);
    }
  }
  return out;
}

/**
 * portmap: first one real TCP connect from the outside through a mapping to busybox httpd in a
 * pod, then one mapping (hostPort 31000+i) ADDed for each pod without a hostPort, and all DELeted.
 */
async function portmapRuns(node: NodeInfo, api: ApiClient, runner: NodeRunner, pods: PodRecord[]) {
  await needPlugins(['portmap']);
  const netns = (p: PodRecord) => `/proc/${p.sandbox!.pid}/ns/net`;
  const www = await mkdtemp(path.join(os.tmpdir(), 'minipod-bench-portmap-'));
  const checkedPort = 30999;
  try {
    await writeFile(path.join(www, 'index.html'), 'through portmap\n');
    const web = await api.request<PodRecord>('POST', '/pods', { metadata: { name: 'portmap-web' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', command: ['busybox', 'httpd', '-f', '-p', '80', '-h', www] }] } });
    await api.waitReady('portmap-web', 10_000);
    const check = { command: 'ADD' as const, containerId: 'portmap-check', netns: netns(web), ifname: 'eth0', config: portmapConfig(checkedPort, 80, web.ip, web.prefix, netns(web)) };
    await cni(runner, 'portmap', check);
    const outside = (await readOutside(node.dir))!;
    const [file, ...args] = outsideExecArgv(node.holderPid, outside, ['curl', '-sS', '--max-time', '3', `http://${NODE_ADDR}:${checkedPort}/`], tools().nsenter);
    const got = await execa(file!, args, { reject: false });
    await cni(runner, 'portmap', { ...check, command: 'DEL' });
    if (got.stdout.trim() !== 'through portmap') throw new Error(`its mapping did not answer from the outside (curl: ${got.stderr.trim() || got.stdout.trim()})`);

    const add: number[] = [];
    const del: number[] = [];
    const calls = pods.map((p, i) => ({ containerId: `bench-pm-${i}`, netns: netns(p), ifname: 'eth0', config: portmapConfig(31000 + i, 80, p.ip, p.prefix, netns(p)) }));
    for (const c of calls) add.push(await cni(runner, 'portmap', { ...c, command: 'ADD' }));
    for (const c of calls) del.push(await cni(runner, 'portmap', { ...c, command: 'DEL' }));
    const left = await cniChains(runner);
    const leftPerPod = left.filter((c) => !/ CNI-HOSTPORT-/.test(c)).length;
    return { add, del, checkedPort, leftPerPod, shared: left.length - leftPerPod };
  } finally {
    await api.request('DELETE', '/pods/portmap-web?force=true').catch(() => {});
    await rm(www, { recursive: true, force: true });
    await removeCniChains(runner);
    const after = await cniChains(runner);
    if (after.length) console.log(`portmap: CNI chains left in the node (they go with it): ${after.join(', ')}`);
  }
}

/** Refuse, naming the package, when a plugin is not installed. */
async function needPlugins(types: string[]): Promise<void> {
  for (const type of types) {
    if (!existsSync(path.join(CNI_PATH, type))) throw new Error(`${CNI_PATH}/${type} is not installed: apt-get install containernetworking-plugins`);
  }
  if (!(await findTool('iptables'))) throw new Error('iptables is not installed: apt-get install iptables');
}

/**
 * The bridge plugin, ADD then DEL of one sandbox on a bridge of its own (cnibench0, 198.18.1.0/24),
 * with and without ipMasq, interleaved: the difference is ipMasq's per-pod work (a chain and
 * its rules in iptables' nat table). Its sandbox is a bare namespace made in the node.
 */
async function bridgeRuns(node: NodeInfo, runner: NodeRunner): Promise<void> {
  await needPlugins(['bridge', 'static']);
  const t = tools();
  const sandbox = await bareNamespace(node, 'the bridge plugin\'s sandbox');
  const times = { add: { true: [] as number[], false: [] as number[] }, del: { true: [] as number[], false: [] as number[] } };
  try {
    for (let i = 0; i < BRIDGE_RUNS + 1; i++) {
      for (const ipMasq of i % 2 ? [false, true] : [true, false]) {
        const c = { containerId: `bench-br-${i}-${ipMasq}`, netns: `/proc/${sandbox.pid}/ns/net`, ifname: 'eth0', config: bridgeConfig('cnibench0', '198.18.1.10/24', '198.18.1.1', ipMasq) };
        const [a, d] = [await cni(runner, 'bridge', { ...c, command: 'ADD' }), await cni(runner, 'bridge', { ...c, command: 'DEL' })];
        if (i === 0) continue; // the first makes the bridge
        times.add[`${ipMasq}`].push(a);
        times.del[`${ipMasq}`].push(d);
      }
    }
    const left = await cniChains(runner);
    if (left.length) throw new Error(`chains left after DEL: ${left.join(', ')}`);
  } finally {
    sandbox.kill();
    await runner.run([t.ip, 'link', 'del', 'cnibench0']);
    await removeCniChains(runner);
  }
  console.log(summary('CNI bridge ADD, no ipMasq (own bridge)', times.add.false));
  console.log(summary('CNI bridge ADD, ipMasq: true', times.add.true));
  console.log(summary('CNI bridge DEL, no ipMasq', times.del.false));
  console.log(summary('CNI bridge DEL, ipMasq: true', times.del.true));
  const [add, del] = [median(times.add.true) - median(times.add.false), median(times.del.true) - median(times.del.false)];
  console.log(`ratio: none: ipMasq costs a pod ${ms(add)} at ADD and ${ms(del)} at DEL (a chain and two rules of its own, made and removed by iptables), minipod's egress 0 ms (no per-pod rule or process), and a ratio over zero means nothing`);
}

/** Pod to pod on this node (the server pod runs iperf3 -s as its container), then the floor. */
async function paths(node: NodeInfo, api: ApiClient): Promise<void> {
  const missing = await missingTools();
  if (missing) return void console.log(`pod-to-pod: not measured (${missing})`);
  let floor: Awaited<ReturnType<typeof vethFloor>> | undefined;
  try {
    const server = await api.request<PodRecord>('POST', '/pods', { metadata: { name: 'iperf-server' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'iperf3', command: ['iperf3', '-s'], ports: [{ containerPort: 5201 }] }] } });
    const client = await api.request<PodRecord>('POST', '/pods', sleeper('iperf-client'));
    floor = await vethFloor(node);
    const [pods, bare] = await measurePaths([
      { label: 'pod → pod, one node', client: podEnd(client), server: { ip: server.ip } },
      { label: 'floor: one veth pair', client: floor.a, server: floor.b },
    ]);
    for (const r of [pods!, bare!]) console.log(pathLines(r).join('\n'));
    console.log(ratioLine(pods!, bare!));
  } finally {
    await floor?.dispose();
    for (const name of ['iperf-server', 'iperf-client']) await api.request('DELETE', `/pods/${name}?force=true`).catch(() => {});
  }
}
