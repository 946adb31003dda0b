// The cgroups of a daemon's pods: PARENT/pod-UID, one per pod, holding its pause holder, its apps,
// its `exec`s and whatever they start. Stopping a pod kills the whole cgroup, so nothing it started
// survives it — not a `setsid` daemon, nor a process that moved to another network namespace.
// The pod cgroup itself holds no process: on cgroup v2 a cgroup with processes of its own cannot
// hand a controller down to its children (the "no internal process" rule), so the OCI runtime
// could not give an image container (PARENT/pod-UID/NAME) its memory or pids limit, nor the pod
// its own pids.max. The pod's own processes (its pause holder, apps without an image, their
// shims, execs) live in a leaf beside the containers, PARENT/pod-UID/_sandbox, as kubelet keeps
// the pause in a container cgroup of its own below the pod's.
// Where no cgroup2 hierarchy can be used, NO_CGROUPS keeps the call sites unchanged (pods are
// then cleared by their network namespace only, as before).
import path from 'node:path';
import { log } from '../log.js';
import { canKill, cgroupsOf, checkCgroupName, childCgroups, createCgroup, findCgroup2, killCgroup, moveInto, pidsIn, removeCgroup } from './cgroup.js';
import { podPids, type PodPids } from './pod-pids.js';

export interface PodCgroups {
  /** PARENT, or null when pods get no cgroup. */
  readonly parent: string | null;
  dir(uid: string): string | null;
  create(uid: string): Promise<void>;
  /** argv that runs `argv` inside the pod's cgroup from its first instruction (rootfs/cgexec). */
  wrap(uid: string, argv: string[]): string[];
  /**
   * Move a process that does not fork (a pause holder) into the pod's cgroup, which must exist.
   * Off the critical path on purpose: a move waits for an RCU grace period (10-20 ms here), and a
   * holder's place is only bookkeeping (it is stopped by pid, never by its cgroup). A process
   * that is gone meanwhile is no error.
   */
  adopt(uid: string, pid: number): Promise<void>;
  /**
   * SIGKILL everything in the pod's cgroup now (a recovery, before the new sandbox joins it);
   * returns the pids it held right after, still dying (the kill returns before they are gone).
   */
  kill(uid: string): Promise<number[]>;
  remove(uid: string): Promise<void>;
  /** The pids in the pod's cgroup and below (what gc reports an orphan cgroup still holds). */
  pids(uid: string): Promise<number[]>;
  /** Every pod cgroup under PARENT (for gc). */
  list(): Promise<{ uid: string; dir: string }[]>;
}

const PREFIX = 'pod-';
/** Not a DNS label, so no container of the pod can be named so. */
export const SANDBOX_LEAF = '_sandbox';

export function podCgroups(parent: string, cgexec: string, pids?: PodPids): PodCgroups {
  const dir = (uid: string) => path.join(parent, `${PREFIX}${uid}`);
  const leaf = (uid: string) => path.join(dir(uid), SANDBOX_LEAF);
  return {
    parent,
    dir,
    create: async (uid) => {
      await createCgroup(leaf(uid));
      await pids?.create(dir(uid));
    },
    // ':' joins the cgroups cgexec enters (no cgroup name holds one: checkCgroupName).
    wrap: (uid, argv) => [cgexec, [leaf(uid), ...(pids?.join(dir(uid)) ?? [])].join(':'), ...argv],
    adopt: async (uid, pid) => {
      const placement = cgroupsOf(pid); // read once for both hierarchies (a restart adopts every pod's processes)
      await pids?.adopt(dir(uid), pid, placement);
      await moveInto(leaf(uid), pid, { within: dir(uid), placement }); // anywhere in the pod already (an image container in its own): left there
    },
    kill: async (uid) => {
      await killCgroup(dir(uid));
      return pidsIn(dir(uid));
    },
    remove: (uid) => removeCgroup(dir(uid)),
    pids: (uid) => pidsIn(dir(uid)),
    list: async () => (await childCgroups(parent)).filter((n) => n.startsWith(PREFIX)).map((n) => ({ uid: n.slice(PREFIX.length), dir: path.join(parent, n) })),
  };
}

export const NO_CGROUPS: PodCgroups = {
  parent: null,
  dir: () => null,
  create: async () => {},
  wrap: (_uid, argv) => argv,
  adopt: async () => {},
  kill: async () => [],
  remove: async () => {},
  pids: async () => [],
  list: async () => [],
};

/**
 * The pods' cgroups under ROOT/parentName, or NO_CGROUPS (with a warning) where cgroup2 cannot be
 * used; each pod limited to podMaxPids processes where the machine has a v1 pids hierarchy (pod-pids.ts).
 */
export async function openPodCgroups(parentName: string, cgexec: string, podMaxPids: number): Promise<PodCgroups> {
  const root = findCgroup2();
  if (!root) {
    log.warn('no cgroup2 hierarchy is mounted: pods get no cgroup, and what leaves a pod\'s network namespace is not tracked (mount one at /sys/fs/cgroup/unified)');
    return NO_CGROUPS;
  }
  const parent = path.join(root, checkCgroupName(parentName));
  try {
    await createCgroup(parent);
  } catch (err) {
    log.warn({ parent, err: (err as Error).message }, 'cannot create the pods\' parent cgroup: pods get no cgroup');
    return NO_CGROUPS;
  }
  // A recovery kills the old sandbox's processes with one write, then lets the new holder in: that
  // needs cgroup.kill (Linux 5.14+); a kill by listing could miss a fork and spare it.
  if (!canKill(parent)) {
    log.warn({ parent }, 'this kernel has no cgroup.kill (Linux 5.14+): pods get no cgroup, and what leaves a pod\'s network namespace is not tracked');
    return NO_CGROUPS;
  }
  const pids = podPids(parent, podMaxPids);
  if (!pids) log.warn('the pids controller is neither in a v1 hierarchy of its own nor in cgroup2 here: pods get no pod-wide pids limit (--pod-max-pids), only each image container its own (--pids-limit)');
  return podCgroups(parent, cgexec, pids);
}
