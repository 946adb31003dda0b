// crun 1.8 on a hybrid cgroup machine (v1 controllers, plus cgroup2 at /sys/fs/cgroup/unified):
// its libcrun_get_cgroup_mode refuses to run anything ("cgroups in hybrid mode not supported,
// drop all controllers from cgroupv2") when that cgroup2 mount lists a controller (here the
// kernel leaves `hugetlb` there), whatever --cgroup-manager says. minipod uses none of the
// unified hierarchy's controllers (cgroup/cgroup.ts: no limit is set there), so crun may be shown
// an empty list: /dev/null bound over cgroup.controllers. crun then runs in hybrid mode, as runc
// does: the container's cgroup in every v1 hierarchy (its limits, memory.oom_control) and in the
// unified one (the pod's cgroup.kill reaches it).
//
// Only in a node's own mount namespace (private propagation: lib/node/node-holder.ts): the mount
// is seen by that node's daemon, runtimes and pods alone, and it goes with the namespace when the
// node stops (its last process, the holder, dies), as the node's private /run does (daemon.ts) —
// it is left in place across daemon restarts on purpose, for the containers still running there
// (`crun delete` needs it too). A daemon in the host's mount namespace never mounts over the
// host's /sys: crun is refused there, with the command that works.
import { readFile } from 'node:fs/promises';
import { findCgroup2 } from '../cgroup/cgroup.js';
import { MinipodError } from '../errors.js';
import { run, tools } from '../os/host.js';

/** crun's hard-coded place of the hybrid machine's cgroup2 mount. */
const UNIFIED = '/sys/fs/cgroup/unified';
const CONTROLLERS = `${UNIFIED}/cgroup.controllers`;

/** The controllers crun 1.8 would refuse: those of a hybrid machine's cgroup2 mount (none elsewhere, or once hidden). */
export async function hybridControllers(cgroup2 = findCgroup2()): Promise<string[]> {
  if (cgroup2 !== UNIFIED) return [];
  return (await readFile(CONTROLLERS, 'utf8').catch(() => '')).split(/\s+/).filter(Boolean);
}

/**
 * Make crun usable here: nothing to do on a cgroup2-only or v1-only machine, or where it was done
 * already (a restarted daemon in the same node); the bind mount in a node; an error naming `what`
 * (the flag or field that asked for crun) in the host's mount namespace.
 */
export async function makeCrunUsable(inNode: boolean, what: string): Promise<void> {
  const controllers = await hybridControllers();
  if (!controllers.length) return;
  if (!inNode) {
    throw new MinipodError('INVALID_ARGUMENT', `${what} crun: crun 1.8 refuses this hybrid cgroup machine (${CONTROLLERS} lists ${controllers.join(' ')}), and a daemon outside a node never mounts over the host's /sys: run it in a node with \`minipod node start --oci-runtime crun\`, or use runc`);
  }
  await run([tools().mount, '--bind', '/dev/null', CONTROLLERS]);
}
