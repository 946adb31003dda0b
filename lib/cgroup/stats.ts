// What a container's cgroup says about it: the OOM kills it saw, its CPU time and its memory, read
// from the controller's v1 hierarchy where the machine has one (a hybrid machine like these:
// memory, cpuacct), else from the cgroup2 files. `rel` is the cgroup as runc's cgroupsPath names
// it, relative to each hierarchy's root ("/minipod-node-HASH/pod-UID/app").
import { readTextIfAny } from '../util/read-if-any.js';
import { readProcSync } from '../os/host.js';
import { findCgroup2, v1Hierarchy } from './cgroup.js';

const selfMountinfo = () => readProcSync('self', 'mountinfo') ?? '';

/** "key value" lines (memory.stat, memory.events, cpu.stat, memory.oom_control) as a map. */
export function flatKeyed(text: string): Map<string, number> {
  return new Map(text.split('\n').filter(Boolean).map((l) => [l.split(' ')[0]!, Number(l.split(' ')[1])]));
}

const read = readTextIfAny;

/**
 * How many processes of the cgroup the kernel's OOM killer has killed, or undefined without a
 * memory controller there. v1 counts it only in the victim's own cgroup (no parent sees it),
 * v2 in memory.events of the cgroup and its parents.
 */
export async function oomKills(rel: string, mountinfo = selfMountinfo()): Promise<number | undefined> {
  const v1 = v1Hierarchy('memory', mountinfo);
  const text = v1 ? await read(`${v1}${rel}/memory.oom_control`) : await read(`${findCgroup2(mountinfo)}${rel}/memory.events`);
  return text === undefined ? undefined : flatKeyed(text).get('oom_kill');
}

export interface CgroupUsage {
  /** CPU time used since the cgroup was made, in nanoseconds. */
  cpuNs: number;
  /** The working set, as kubelet and `kubectl top` count memory: usage less inactive file pages. */
  memoryBytes: number;
}

/** CPU time and working set of a cgroup, or undefined if it (or its controllers) are not there. */
export async function cgroupUsage(rel: string, mountinfo = selfMountinfo()): Promise<CgroupUsage | undefined> {
  const cpuacct = v1Hierarchy('cpuacct', mountinfo);
  const memory = v1Hierarchy('memory', mountinfo);
  const v2 = findCgroup2(mountinfo);
  // cgroup2 has cpu.stat (usage_usec) in every cgroup, controller enabled or not.
  const cpuText = cpuacct ? await read(`${cpuacct}${rel}/cpuacct.usage`) : await read(`${v2}${rel}/cpu.stat`);
  const usage = memory ? await read(`${memory}${rel}/memory.usage_in_bytes`) : await read(`${v2}${rel}/memory.current`);
  const stat = await read(memory ? `${memory}${rel}/memory.stat` : `${v2}${rel}/memory.stat`);
  if (cpuText === undefined || usage === undefined || stat === undefined) return undefined;
  const cpuNs = cpuacct ? Number(cpuText.trim()) : (flatKeyed(cpuText).get('usage_usec') ?? 0) * 1000;
  const inactive = flatKeyed(stat).get(memory ? 'total_inactive_file' : 'inactive_file') ?? 0;
  const bytes = Number(usage.trim());
  return { cpuNs, memoryBytes: Math.max(0, bytes - inactive) };
}
