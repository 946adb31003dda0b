// Latency and throughput of network paths between two ends, each a network namespace: ICMP
// round trips (iputils ping, 100 echoes 2 ms apart) and one TCP stream for a few seconds (iperf3)
// per round, bounded in time. An end is given as a way to run a command in its network namespace, so
// the same function measures two pods on one node, two pods on two nodes, or the floor below:
// two bare namespaces joined by one veth pair.
import { execa } from 'execa';
import { nodePaths } from '../lib/node-paths.js';
import { NODE_NAMESPACES, spawnNodePause } from '../lib/node/node-holder.js';
import type { NodeInfo } from '../lib/node/node-namespace.js';
import { tools } from '../lib/os/host.js';
import { findTool } from '../lib/os/tools.js';
import type { PodRecord } from '../lib/pod/types.js';
import { nsenterArgv } from '../lib/process/nsenter.js';
import { percentile, summary } from './stats.js';

export interface PathEnd {
  /** This end's address, as the other end reaches it. */
  ip: string;
  /**
   * argv that runs `argv` in this end's network namespace. A server end without it must already
   * run `iperf3 -s` (port 5201), e.g. a pod whose container is `command: [iperf3, -s]`.
   */
  exec?: (argv: string[]) => string[];
}

export interface PathResult {
  label: string;
  /** ICMP round trips, µs. */
  rttUs: number[];
  /** One TCP stream's goodput, as the receiver counted it, one figure per round. */
  gbitPerSec: number[];
}

export interface Path {
  label: string;
  client: Required<PathEnd>;
  server: PathEnd;
}

const PINGS = 100;
const SECONDS = Number(process.env.BENCH_IPERF_SECONDS ?? 2);
const ROUNDS = 3;
const IPERF_PORT = 5201;

/** The end of a pod: its sandbox's network namespace (entered through its pause holder's pid). */
export function podEnd(pod: PodRecord): Required<PathEnd> {
  return { ip: pod.ip, exec: (argv) => nsenterArgv(tools().nsenter, pod.sandbox!.pid, ['net'], argv) };
}

/** What measurePath needs that may be missing: null if ping and iperf3 are both installed. */
export async function missingTools(): Promise<string | null> {
  const missing = [(await findTool('ping')) ? '' : 'ping (apt-get install iputils-ping)', (await findTool('iperf3')) ? '' : 'iperf3 (apt-get install iperf3)'].filter(Boolean);
  return missing.length ? `not installed: ${missing.join(', ')}` : null;
}

/**
 * Measure each path ROUNDS times, the paths taking turns, so that a burst of load on a busy
 * machine falls on all of them alike; one result per path, in the order given.
 */
export async function measurePaths(paths: Path[], rounds = ROUNDS): Promise<PathResult[]> {
  const results = paths.map((p) => ({ label: p.label, rttUs: [] as number[], gbitPerSec: [] as number[] }));
  for (let i = 0; i < rounds; i++) {
    for (const [k, p] of paths.entries()) {
      const r = await measurePath(p.label, p.client, p.server);
      results[k]!.rttUs.push(...r.rttUs);
      results[k]!.gbitPerSec.push(...r.gbitPerSec);
    }
  }
  return results;
}

/**
 * One round on the path from `client` to `server`: PINGS echoes 2 ms apart, then one TCP stream
 * for SECONDS. An iperf3 server is started in the server's namespace through `server.exec` (one
 * test, then it exits), or one already listening there is used. Bounded: ping stops within 5 s,
 * and every process is killed by a deadline.
 */
export async function measurePath(label: string, client: Required<PathEnd>, server: PathEnd): Promise<PathResult> {
  const [ping, iperf3] = [(await findTool('ping'))!, (await findTool('iperf3'))!];
  const run = (argv: string[], timeout: number) => execa(argv[0]!, argv.slice(1), { timeout, reject: false });

  const pinged = await run(client.exec([ping, '-n', '-c', String(PINGS), '-i', '0.002', '-w', '5', server.ip]), 10_000);
  if (pinged.exitCode !== 0) throw new Error(`ping ${server.ip} (${label}) failed: ${(pinged.stdout || pinged.stderr).trim().split('\n').pop()}`);
  const rttUs = [...pinged.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]) * 1000);

  const serverArgv = server.exec?.([iperf3, '-s', '-1', '-p', String(IPERF_PORT)]);
  const serverProc = serverArgv && execa(serverArgv[0]!, serverArgv.slice(1), { timeout: (SECONDS + 20) * 1000, reject: false });
  try {
    const deadline = Date.now() + 5000;
    for (;;) {
      const r = await run(client.exec([iperf3, '-c', server.ip, '-p', String(IPERF_PORT), '-t', String(SECONDS), '-J']), (SECONDS + 10) * 1000);
      const out = r.stdout ? (JSON.parse(r.stdout) as { error?: string; end?: { sum_received?: { bits_per_second: number } } }) : { error: r.stderr };
      if (out.end?.sum_received) return { label, rttUs, gbitPerSec: [out.end.sum_received.bits_per_second / 1e9] };
      // The server may not listen yet (its pod or process just started): retry until the deadline.
      if (Date.now() > deadline || !/refused|connect/i.test(out.error ?? '')) throw new Error(`iperf3 to ${server.ip} (${label}) failed: ${out.error ?? r.stderr}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  } finally {
    serverProc?.kill('SIGKILL');
    await serverProc;
  }
}

/** A path's two lines: RTT median and p90; the median of its rounds' Gbit/s, with their range. */
export function pathLines(r: PathResult): string[] {
  const g = (n: number) => n.toFixed(2);
  return [
    summary(`${r.label}: RTT (ping)`, r.rttUs, 'µs'),
    `${`${r.label}: TCP, one stream (iperf3, ${SECONDS} s)`.padEnd(48)} median ${g(percentile(r.gbitPerSec, 50)).padStart(7)} Gbit/s  (${g(Math.min(...r.gbitPerSec))}–${g(Math.max(...r.gbitPerSec))}, n=${r.gbitPerSec.length})`,
  ];
}

/** One line comparing a path with its floor: how many times slower (RTT) and what share of the throughput. */
export function ratioLine(path: PathResult, floor: PathResult): string {
  const m = (xs: number[]) => percentile(xs, 50);
  return `ratio: ${path.label} / ${floor.label}: RTT (median) ${(m(path.rttUs) / m(floor.rttUs)).toFixed(2)}×, throughput ${(m(path.gbitPerSec) / m(floor.gbitPerSec)).toFixed(2)}×`;
}

/**
 * The floor of any path: two network namespaces joined by one veth pair (198.18.0.1 and .2, the
 * benchmarking range), made inside the node and in its cgroup, so `node stop` ends them if the
 * bench does not. Both are gone, with the veth pair, once `dispose` has run.
 */
export async function vethFloor(node: NodeInfo): Promise<{ a: Required<PathEnd>; b: Required<PathEnd>; dispose: () => Promise<void> }> {
  const t = tools();
  const holders: { pid: number; kill: () => void }[] = [];
  const dispose = async () => holders.forEach((h) => h.kill());
  try {
    for (const side of ['a', 'b']) holders.push(await bareNamespace(node, `the floor's namespace ${side}`));
    const [a, b] = holders.map((h) => h.pid) as [number, number];
    const ip = (pid: number, lines: string[]) => execa(t.nsenter, [`--target=${pid}`, '--net', '--', t.ip, '-batch', '-'], { input: `${lines.join('\n')}\n` });
    await ip(a, [`link add floor0 type veth peer name floor1 netns ${b}`, 'link set lo up', 'addr add 198.18.0.1/30 dev floor0', 'link set floor0 up']);
    await ip(b, ['link set lo up', 'addr add 198.18.0.2/30 dev floor1', 'link set floor1 up']);
    const end = (pid: number, addr: string) => ({ ip: addr, exec: (argv: string[]) => nsenterArgv(t.nsenter, pid, ['net'], argv) });
    return { a: end(a, '198.18.0.1'), b: end(b, '198.18.0.2'), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** A network namespace of its own with nothing in it but lo, held by a pause in the node (its mount namespace and cgroup). */
export function bareNamespace(node: NodeInfo, what: string): Promise<{ pid: number; kill: () => void }> {
  const t = tools();
  return spawnNodePause(nodePaths(node.dir), nsenterArgv(t.nsenter, node.holderPid, NODE_NAMESPACES, [t.unshare, '--net', '--', t.pause]), what);
}
