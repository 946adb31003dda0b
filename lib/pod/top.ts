// `minipod top POD`: each container's CPU (cores, over a short window) and memory (working set),
// read from its own cgroup as kubelet's summary API reads them for `kubectl top pod --containers`.
// Only a container with an image has a cgroup of its own (runc's, PARENT/pod-UID/NAME); one
// without shares the pod's cgroup with the pause holder and is shown without figures.
import { setTimeout as sleep } from 'node:timers/promises';
import { cgroupPath } from '../cgroup/cgroup.js';
import { cgroupUsage, type CgroupUsage } from '../cgroup/stats.js';
import { MinipodError } from '../errors.js';
import { runtimeOf } from '../runtime/types.js';
import type { PodContext } from './live.js';
import type { PodRecord } from './types.js';

/** The CPU rate is the CPU time used over this window, as kubelet rates cumulative usage. */
export const TOP_WINDOW_MS = 500;

export interface ContainerTop {
  name: string;
  /** milliCPU used over the window; null when the container has no cgroup of its own or is not running. */
  cpuMilli: number | null;
  /** Working set in bytes; null likewise. */
  memoryBytes: number | null;
}

export async function podTop(ctx: PodContext, r: PodRecord, windowMs = TOP_WINDOW_MS): Promise<ContainerTop[]> {
  if (r.phase !== 'Running') throw new MinipodError('CONFLICT', `pod ${r.name} is ${r.phase}: top needs a running pod`);
  const dir = ctx.node.cgroups.dir(r.uid);
  const podRel = dir ? cgroupPath(dir) : undefined;
  const rels = r.containers.map((c) => (podRel && c.state === 'Running' && runtimeOf(c.containerID) === 'runc' ? `${podRel}/${c.name}` : undefined));
  const sample = () => Promise.all(rels.map((rel) => (rel ? cgroupUsage(rel) : undefined)));
  const before = await sample();
  const t0 = process.hrtime.bigint();
  await sleep(windowMs);
  const after = await sample();
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  return r.containers.map((c, i) => figures(c.name, before[i], after[i], elapsedNs));
}

function figures(name: string, before: CgroupUsage | undefined, after: CgroupUsage | undefined, elapsedNs: number): ContainerTop {
  // Gone or restarted during the window (its counter started again): no rate to give.
  if (!before || !after || after.cpuNs < before.cpuNs) return { name, cpuMilli: null, memoryBytes: after?.memoryBytes ?? null };
  return { name, cpuMilli: ((after.cpuNs - before.cpuNs) / elapsedNs) * 1000, memoryBytes: after.memoryBytes };
}
