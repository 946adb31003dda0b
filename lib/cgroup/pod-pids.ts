// One pids limit for each pod as a whole (kubelet's --pod-max-pids): its pause, its containers
// with or without an image, its execs and all they fork count against one pids.max, so a fork
// bomb in one pod cannot use up the node's pids, whatever runs it. Each image container keeps its
// own, smaller limit below it (--pids-limit, runtime/oci-config.ts).
//
// Where: the pids controller's own v1 hierarchy on a hybrid machine like these (the unified one
// carries no controller there), in PIDS/PARENT/pod-UID, the twin of the pod's unified cgroup. The
// OCI runtime puts a container in PIDS/PARENT/pod-UID/NAME, below it, so the pod's limit bounds
// it too; pause holders, apps without an image and execs join it beside the unified one (cgexec,
// or a move for a holder, which does not fork). removeCgroup removes the twin with the pod.
// On a machine whose pids controller is in the unified hierarchy (pure cgroup v2) the pod's
// cgroup holds processes itself, so the controller could not be enabled below it: pods there get
// no pod-wide limit (a warning says so), only their image containers' own.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MinipodError } from '../errors.js';
import { readProcSync } from '../os/host.js';
import { createCgroup, findCgroup2, moveInto, v1Hierarchy } from './cgroup.js';

export const DEFAULT_POD_MAX_PIDS = 4096;

/** A pids limit given as a flag: a whole number of at least 16 (fewer could not start a pod). */
export function checkPidsLimit(flag: string, value: string, dflt: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 16) {
    throw new MinipodError('INVALID_ARGUMENT', `${flag} ${value}: give a whole number of processes of at least 16 (default ${dflt})`);
  }
  return n;
}

export interface PodPids {
  /** The pod's v1 pids cgroup, to join beside the unified one. */
  dir(podDir: string): string;
  /** Make it, with its limit, before anything of the pod runs. */
  create(podDir: string): Promise<void>;
  adopt(podDir: string, pid: number): Promise<void>;
}

/** The pods' pids limit under the unified PARENT, or undefined where this machine has no v1 pids hierarchy. */
export function podPids(parent: string, max: number, mountinfo = readProcSync('self', 'mountinfo') ?? ''): PodPids | undefined {
  const hierarchy = v1Hierarchy('pids', mountinfo);
  const root = findCgroup2(mountinfo);
  if (!hierarchy || !root || !parent.startsWith(`${root}/`)) return undefined;
  const rel = parent.slice(root.length);
  const dir = (podDir: string) => path.join(hierarchy, rel, path.basename(podDir));
  return {
    dir,
    create: async (podDir) => {
      await createCgroup(dir(podDir));
      await writeFile(path.join(dir(podDir), 'pids.max'), String(max));
    },
    adopt: (podDir, pid) => moveInto(dir(podDir), pid, 'pids'),
  };
}
