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
// On a machine whose pids controller is in the unified hierarchy (pure cgroup v2), the limit is the
// pod cgroup's own pids.max: the controller is enabled down to PARENT (whose children hold no
// process of their own: the pod's are in its _sandbox leaf, pods.ts), and everything below counts.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MinipodError } from '../errors.js';
import { readProcSync } from '../os/host.js';
import { createCgroup, findCgroup2, moveInto, v1Hierarchy } from './cgroup.js';
import { readFileIfAny } from '../util/read-if-any.js';

export const DEFAULT_POD_MAX_PIDS = 4096;
/** The pids limit of an image container whose daemon was given none (--pids-limit, runtime/oci-config.ts): ample for a service, a wall for a fork bomb. */
export const DEFAULT_PIDS_LIMIT = 1024;

/** A pids limit given as a flag: a whole number of at least 16 (fewer could not start a pod). */
export function checkPidsLimit(flag: string, value: string, dflt: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 16) {
    throw new MinipodError('INVALID_ARGUMENT', `${flag} ${value}: give a whole number of processes of at least 16 (default ${dflt})`);
  }
  return n;
}

export interface PodPids {
  /** What the pod's processes join beside their unified cgroup: the pod's v1 pids cgroup, or nothing. */
  join(podDir: string): string[];
  /** Make it, with its limit, before anything of the pod runs. */
  create(podDir: string): Promise<void>;
  /** placement: the process's /proc/PID/cgroup, if read already (cgroup.ts moveInto). */
  adopt(podDir: string, pid: number, placement?: Promise<string | undefined>): Promise<void>;
}

/** The pods' pids limit under the unified PARENT, or undefined where this machine has the pids controller nowhere. */
export function podPids(parent: string, max: number, mountinfo = readProcSync('self', 'mountinfo') ?? ''): PodPids | undefined {
  const hierarchy = v1Hierarchy('pids', mountinfo);
  const root = findCgroup2(mountinfo);
  if (!root || !parent.startsWith(`${root}/`)) return undefined;
  if (!hierarchy) return controllers(root).includes('pids') ? unifiedPids(root, parent, max) : undefined;
  const rel = parent.slice(root.length);
  const dir = (podDir: string) => path.join(hierarchy, rel, path.basename(podDir));
  return {
    join: (podDir) => [dir(podDir)],
    create: async (podDir) => {
      await createCgroup(dir(podDir));
      await setPidsMax(dir(podDir), max);
    },
    adopt: (podDir, pid, placement) => moveInto(dir(podDir), pid, { controller: 'pids', placement }),
  };
}

/** pids.max set to max; written only if it says otherwise (a restart finds every pod's set already). */
async function setPidsMax(dir: string, max: number): Promise<void> {
  const file = path.join(dir, 'pids.max');
  if (readFileIfAny(file)?.trim() === String(max)) return; // unreadable: written below, which says why if it cannot be
  await writeFile(file, String(max));
}

const controllers = (dir: string) => (readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8').trim() || '').split(/\s+/);

/** cgroup v2: pids enabled in each cgroup from the root down to PARENT, then the pod's own pids.max. */
function unifiedPids(root: string, parent: string, max: number): PodPids {
  const chain = [root, ...path.relative(root, parent).split('/').map((_, i, parts) => path.join(root, ...parts.slice(0, i + 1)))];
  return {
    join: () => [],
    create: async (podDir) => {
      for (const dir of chain) {
        const enabled = readFileSync(path.join(dir, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
        if (!enabled.includes('pids')) await writeFile(path.join(dir, 'cgroup.subtree_control'), '+pids');
      }
      await setPidsMax(podDir, max);
    },
    adopt: async () => {}, // the pod's leaf is below its cgroup: counted already
  };
}
