// The flags a node keeps in DIR/node.json (across daemon restarts, `node stop` and reboots), checked
// as the daemon checks them, whether they come from the command line or from the file.
import { MinipodError } from '../errors.js';
import { DEFAULT_SUBNET, parseSubnet } from '../network/ipam.js';
import { checkBridgeName, DEFAULT_BRIDGE } from '../network/names.js';
import { DEFAULT_LOG_FLAGS, logLimits } from '../pod/log-limits.js';
import { checkOciRuntime } from '../runtime/oci-runtimes.js';
// Not runtime/oci-config.ts: that would bring the pod schema (zod) into `node restart`'s CLI.
import { checkPidsLimit, DEFAULT_PIDS_LIMIT, DEFAULT_POD_MAX_PIDS } from '../cgroup/pod-pids.js';
import { readPrivate } from './secure-dir.js';
import { MAX_NODES, nonMasquerade, type Member } from './members.js';
import path from 'node:path';
import { definedOnly } from '../util/defined.js';

export interface NodeOptions {
  bridge?: string;
  subnet?: string;
  stopPodsOnExit?: boolean;
  containerLogMaxSize?: string;
  containerLogMaxFiles?: string;
  /** The daemon's --oci-runtime: runc or crun. */
  ociRuntime?: string;
  pidsLimit?: string;
  podMaxPids?: string;
  /** Set by `minipod cluster start`: the node is member `index` of the cluster in `dir` (node/cluster.ts). */
  cluster?: Member;
}

export function checkOptions(opts: NodeOptions, source: string): NodeOptions {
  const defined: NodeOptions = definedOnly(opts);
  const unknown = Object.keys(defined).filter((k) => !['bridge', 'subnet', 'stopPodsOnExit', 'containerLogMaxSize', 'containerLogMaxFiles', 'ociRuntime', 'pidsLimit', 'podMaxPids', 'cluster'].includes(k));
  if (unknown.length) throw new MinipodError('INVALID_ARGUMENT', `${source}: unknown field(s) ${unknown.join(', ')}: remove them`);
  for (const key of ['bridge', 'subnet', 'containerLogMaxSize', 'containerLogMaxFiles', 'pidsLimit', 'podMaxPids'] as const) {
    if (defined[key] !== undefined && typeof defined[key] !== 'string') throw new MinipodError('INVALID_ARGUMENT', `${source}: ${key} must be a string such as ${JSON.stringify({ bridge: 'minipod0', subnet: '10.88.0.0/16', containerLogMaxSize: '10Mi', containerLogMaxFiles: '5', pidsLimit: '1024', podMaxPids: '4096' }[key])}`);
  }
  if (defined.ociRuntime !== undefined) checkOciRuntime(defined.ociRuntime, source === 'flags' ? '--oci-runtime' : `${source}: ociRuntime`);
  if (defined.cluster !== undefined) checkMember(defined.cluster, source);
  if (defined.pidsLimit !== undefined) checkPidsLimit('--pids-limit', defined.pidsLimit, DEFAULT_PIDS_LIMIT);
  if (defined.podMaxPids !== undefined) checkPidsLimit('--pod-max-pids', defined.podMaxPids, DEFAULT_POD_MAX_PIDS);
  if (defined.bridge !== undefined) checkBridgeName(String(defined.bridge));
  if (defined.subnet !== undefined) parseSubnet(String(defined.subnet));
  if (defined.stopPodsOnExit !== undefined && typeof defined.stopPodsOnExit !== 'boolean') throw new MinipodError('INVALID_ARGUMENT', `${source}: stopPodsOnExit must be true or false`);
  if (defined.containerLogMaxSize !== undefined || defined.containerLogMaxFiles !== undefined) logLimits(defined.containerLogMaxSize ?? DEFAULT_LOG_FLAGS.maxSize, defined.containerLogMaxFiles ?? DEFAULT_LOG_FLAGS.maxFiles);
  return defined;
}

/**
 * A node's subnet and bridge stay while it has pod records: each record names its address, gateway
 * and veth on them, and a pod is recovered or restarted with the same (a new subnet put a second
 * address on the bridge and masqueraded only the new range; a new bridge routed the subnet twice).
 * `given` is refused, before anything changes, where it differs from what `saved` makes the daemon use.
 */
export function checkNetworkKept(saved: NodeOptions, given: NodeOptions, pods: number, dir: string): void {
  if (!pods) return;
  const now = { subnet: parseSubnet(saved.subnet ?? DEFAULT_SUBNET).cidr, bridge: saved.bridge ?? DEFAULT_BRIDGE };
  const asked = { subnet: given.subnet === undefined ? now.subnet : parseSubnet(given.subnet).cidr, bridge: given.bridge ?? now.bridge };
  for (const key of ['subnet', 'bridge'] as const) {
    if (asked[key] === now[key]) continue;
    throw new MinipodError('INVALID_ARGUMENT', `--${key} ${given[key]}: the node in ${dir} has ${pods} pod record(s) on ${key} ${now[key]}, which a pod keeps for its life: leave --${key} out (or give ${now[key]}), or first remove the pods (\`minipod rm -f POD…\`, with the node running: a stopped one keeps their records; start it without --${key})`);
  }
}

/** The node's saved flags ({} for a new node); a file that fails the checks is an error naming it. */
export async function savedOptions(file: string): Promise<NodeOptions> {
  const text = await readPrivate(file);
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new MinipodError('INVALID_ARGUMENT', `${file}: not a JSON object: fix or remove it`);
  return checkOptions(value as NodeOptions, file);
}

/** The daemon's flags for these options. */
export function daemonFlags(opts: NodeOptions): string[] {
  return [
    ...(opts.bridge ? ['--bridge', opts.bridge] : []),
    ...(opts.subnet ? ['--subnet', opts.subnet] : []),
    ...(opts.stopPodsOnExit ? ['--stop-pods-on-exit'] : []),
    ...(opts.containerLogMaxSize ? ['--container-log-max-size', opts.containerLogMaxSize] : []),
    ...(opts.containerLogMaxFiles ? ['--container-log-max-files', opts.containerLogMaxFiles] : []),
    ...(opts.ociRuntime ? ['--oci-runtime', opts.ociRuntime] : []),
    ...(opts.pidsLimit ? ['--pids-limit', opts.pidsLimit] : []),
    ...(opts.podMaxPids ? ['--pod-max-pids', opts.podMaxPids] : []),
    ...(opts.cluster ? ['--node-name', `node-${opts.cluster.index}`, '--non-masquerade-cidrs', nonMasquerade(opts.cluster).join(',')] : []),
  ];
}

function checkMember(m: Member, source: string): void {
  const ok = m && typeof m === 'object' && typeof m.dir === 'string' && path.isAbsolute(m.dir) && Number.isInteger(m.size) && m.size >= 1 && m.size <= MAX_NODES && Number.isInteger(m.index) && m.index >= 1 && m.index <= m.size;
  if (!ok) throw new MinipodError('INVALID_ARGUMENT', `${source}: cluster must be {"dir": "/absolute/cluster/dir", "index": N, "size": M} with 1 <= N <= M <= ${MAX_NODES}: fix or remove it`);
}

/**
 * The daemon's environment: ours without NODE_EXTRA_CA_CERTS. The daemon makes no TLS connection
 * that checks certificates (an HTTPS probe does not, as kubelet's does not), and Node reads and
 * parses that bundle before any code runs: 75-90 ms of each start on a machine whose environment
 * names the system's 140 KB of certificates (README, "Benchmarks").
 */
export function daemonEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'NODE_EXTRA_CA_CERTS'));
}
