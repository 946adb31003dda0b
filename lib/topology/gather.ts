// The daemon's side of `minipod topology`: the facts read from the kernel, all through the door
// (lib/os/host.ts): `ip -j -d` in the node and, entered through each recorded pause, in each
// sandbox; one pass over /proc for the pids in each network namespace; nft's table. The records
// say only where to look (which pause to enter) and what to compare against.
import { CommandError } from '../os/command-error.js';
import { run, tools } from '../os/host.js';
import { isSameProcess } from '../process/identity.js';
import { readNamespace } from '../process/namespace.js';
import { nsenterArgv } from '../process/nsenter.js';
import { ProcessScan } from '../process/sweep.js';
import type { PodRecord } from '../pod/types.js';
import { isHostNetwork } from '../pod/host-network.js';
import { parseIpBatch, type NetFacts, type PodFacts, type TopologyFacts } from './facts.js';
import { buildTopology, type Topology } from './model.js';
import { NFT_TABLE } from './nft.js';

/** One ip for both lists: `ip -j -batch` prints a JSON array per command. */
const IP_LISTS = 'addr show\nroute show\n';
const ipArgv = () => [tools().ip, '-j', '-d', '-batch', '-'];

/** The node's topology as the kernel shows it, set against the records. */
export async function readTopology(bridge: string, records: readonly PodRecord[]): Promise<Topology> {
  return buildTopology(await gatherFacts(bridge, records));
}

export async function gatherFacts(bridge: string, records: readonly PodRecord[]): Promise<TopologyFacts> {
  // Taken first: a pid that appears later is simply not listed; one gone later is checked again below.
  const scan = await ProcessScan.take(['net']);
  const [netns, net, pods, nft] = await Promise.all([
    readNamespace(process.pid),
    run(ipArgv(), { input: IP_LISTS }).then(parseIpBatch),
    Promise.all(records.map(podFacts)),
    readNft(),
  ]);
  const byNs = scan.byNamespace('net');
  const wanted = new Set(pods.flatMap((p) => [p.kernel.pauseNetns, ...p.kernel.containers.map((c) => c.netns)]).filter((n): n is string => !!n));
  const pids = Object.fromEntries([...wanted].sort().map((ns) => [ns, (byNs.get(ns) ?? []).sort((a, b) => a - b)]));
  return { node: { netns: netns ?? null, bridge, net }, pods, pids, nft };
}

/** A pid's network namespace, if it is still the very process recorded (a reused pid is not). */
async function netnsOfRecorded(pid: number, startTime: string | null | undefined): Promise<string | null> {
  if (startTime && !(await isSameProcess(pid, startTime))) return null;
  return (await readNamespace(pid)) ?? null;
}

async function podFacts(r: PodRecord): Promise<PodFacts> {
  const sandbox = r.sandbox;
  const pauseNetns = sandbox ? await netnsOfRecorded(sandbox.pid, sandbox.startTime) : null;
  let net: NetFacts | null = null;
  // A hostNetwork pod's interfaces are the node's, listed once already.
  if (sandbox && pauseNetns && !isHostNetwork(r)) {
    // The holder may die while we look: then the sandbox is shown without its interfaces.
    net = await run(nsenterArgv(tools().nsenter, sandbox.pid, ['net'], ipArgv()), { input: IP_LISTS }).then(parseIpBatch, () => null);
  }
  const running = r.containers.filter((c) => c.state === 'Running' && c.pid);
  const containers = await Promise.all(running.map(async (c) => ({ name: c.name, pid: c.pid!, netns: await netnsOfRecorded(c.pid!, c.startTime) })));
  return {
    name: r.name,
    phase: r.phase,
    record: {
      ip: r.ip,
      prefix: r.prefix,
      mac: r.mac,
      bridge: r.bridge,
      sandbox: sandbox && { pid: sandbox.pid, netns: sandbox.netns, hostVeth: sandbox.hostVeth },
      ...(isHostNetwork(r) ? { hostNetwork: true } : {}),
      buildingVeth: r.building?.hostVeth ?? null,
      containers: r.containers.map((c) => ({ name: c.name, pid: c.pid, state: c.state })),
    },
    kernel: { pauseNetns, net, containers },
  };
}

/** The table's JSON, or null: no nft on the node, or no table (no NAT set up). */
async function readNft(): Promise<unknown> {
  const nft = tools().nft;
  if (!nft) return null;
  try {
    return JSON.parse(await run([nft, '-j', 'list', 'table', NFT_TABLE.family, NFT_TABLE.name]));
  } catch (err) {
    if (err instanceof CommandError && /No such file or directory/.test(err.stderr)) return null;
    throw err;
  }
}
