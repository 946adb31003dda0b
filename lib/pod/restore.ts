// A pod the last daemon left behind, taken over by the next one (live restore, as containerd
// does). A running pod is re-adopted as it runs: its holder and apps are watched again if they
// are still the very processes recorded (pid *and* start time, never a reused pid), so nothing
// restarts. A pod caught in the middle of a create, stop or removal is cleared instead; the
// manager then finishes that operation.
import { log } from '../log.js';
import { deleteVeth } from '../network/veth.js';
import { belongsTo, isSameProcess } from '../process/identity.js';
import { planRestore, type RestoreObservation, type RestorePlan } from './plan.js';
import { PinnedNamespace, type ProcessScan } from '../process/sweep.js';
import { isSameProcessIn } from '../process/namespace.js';
import { adoptContainer } from './containers.js';
import { allContainers, initsOf } from './init-status.js';
import { checkNetnsName } from './netns.js';
import type { LivePod, PodContext } from './live.js';
import type { ContainerStatus, PodRecord } from './types.js';
import { watchHolder } from './watch.js';

/** Pods restored (and tidied) at once at boot: enough for their waits to overlap (8 took 180 ms for 50 pods, 32 took 70), few enough that a node of a thousand pods does not open a thousand of everything at once. */
export const RESTORE_PARALLEL = 32;

export interface Adoption extends RestorePlan {
  /**
   * What the boot's housekeeping (housekeeping.ts) does for this pod, under its lock, once the pod
   * is watched again: the `ip netns` name checked, the verified processes put back in the pod's
   * cgroups, and the processes in the sandbox that are neither the holder's nor an app's, by session
   * or by descent (an old `minipod exec`), stopped (an app's own children are kept). Returns how
   * many were stopped; nothing is done if the sandbox is no longer the one adopted.
   */
  tidy: () => Promise<number>;
}

/** What the node looked like when the daemon started, read once for every pod. */
export interface NodeView {
  /** Links on each bridge the pods use: a sandbox whose veth is gone has no network and is rebuilt. */
  ports: ReadonlyMap<string, ReadonlySet<string>>;
  /** The daemon start's one pass over /proc. */
  scan: ProcessScan;
  /** Whether the node's bridge and NAT table were made, once they are or failed (boot.ts Started). */
  network: Promise<boolean>;
}

/** Take over a Running pod, or one whose recovery a daemon restart cut short: observe, plan, act. */
export async function adoptPod(ctx: PodContext, live: LivePod, view: NodeView): Promise<Adoption> {
  const r = live.record;
  await clearBuilding(ctx, live, view.scan);
  const sb = r.sandbox!;
  const plan = await observeRestore(r, view.ports, (pid, startTime, netns) => ctx.runtime.inspect(pid, startTime, netns));

  if (plan.adoptHolder) {
    const holder = ctx.watcher.adopt(sb.pid, sb.startTime!);
    live.holder = holder;
    watchHolder(ctx, live, holder);
  }
  for (const name of plan.adopt) adoptContainer(ctx, live, name);
  for (const name of plan.lost) await markLost(ctx, r.containers.find((c) => c.name === name)!);
  // Decided per restart policy once the pod runs (or made moot by a rebuild that starts them).
  for (const name of [...plan.lost, ...plan.pending]) live.exitedWhileBusy.add(name);
  const apps = [...plan.adopt.map((n) => r.containers.find((c) => c.name === n)!), ...(await adoptInits(ctx, live, plan.adoptHolder))];
  // The cgroup a container restarted from now on goes into: there already, unless it was removed
  // while no daemon ran, or an older minipod (no cgroups) made the pod.
  await ctx.node.cgroups.create(r.uid);
  const adopted = { pid: sb.pid, startTime: sb.startTime };
  const verified = [...(plan.adoptHolder ? [adopted] : []), ...apps.map((c) => ({ pid: c.pid!, startTime: c.startTime }))];
  const tidy = async (): Promise<number> => {
    const now = live.record.sandbox;
    if (now?.pid !== adopted.pid || now.startTime !== adopted.startTime || live.terminating) return 0; // rebuilt or removed since
    if (plan.adoptHolder) await checkNetnsName(ctx, live, sb.pid); // removed or re-pointed while no daemon watched
    // Verified ones join their pod's cgroups (an older minipod's, or moved while no daemon watched);
    // one that exited since is its watcher's to report, a pid reused since is not touched.
    for (const p of verified) if (await isSameProcess(p.pid, p.startTime)) await ctx.node.cgroups.adopt(r.uid, p.pid).catch(() => {});
    if (!plan.sweep) return 0;
    // Pinned through a process verified ours, so the inode number is still this sandbox's. The
    // scan was taken before the daemon answered: an exec started since is in none of its entries.
    const ours = new Set(verified.map((p) => p.pid));
    const pinned = PinnedNamespace.take('net', sb.netns, [...ours]);
    try {
      return pinned ? await pinned.sweep({ scan: view.scan, keep: (pid) => belongsTo(pid, ours) }) : 0;
    } finally {
      pinned?.close();
    }
  };
  return { ...plan, tidy };
}

/**
 * Observe the pod's sandbox (its holder, its veth among the bridges' ports, each container through
 * `inspect`) and plan its restore; reads only. Also a spare daemon's warm-up (node/spare-warm.ts).
 */
export async function observeRestore(r: PodRecord, ports: NodeView['ports'], inspect: (pid: number | null, startTime: string | null | undefined, netns: string) => Promise<boolean>): Promise<RestorePlan> {
  const sb = r.sandbox!;
  const observed: RestoreObservation = {
    phase: r.phase,
    holder: { pid: sb.pid, ours: await isSameProcessIn(sb.pid, sb.startTime, sb.netns) },
    // A hostNetwork pod has no veth to lose: the node's network is there as long as the node is.
    veth: { name: sb.hostVeth, bridge: r.bridge, present: !sb.hostVeth || !!ports.get(r.bridge)?.has(sb.hostVeth) },
    containers: await Promise.all(r.containers.map(async (c) => ({ ...c, ours: c.state === 'Running' && (await inspect(c.pid, c.startTime, sb.netns)) }))),
  };
  return planRestore(r.manifest.spec.restartPolicy, observed);
}

/**
 * The init container that ran when the last daemon stopped: re-adopted if it still runs in the
 * sandbox, else ended while nobody watched (decided once the pod runs: the next one, a retry, or
 * a failure). Completed ones are left as they are: never run again. Returns those adopted.
 */
async function adoptInits(ctx: PodContext, live: LivePod, holderOurs: boolean): Promise<ContainerStatus[]> {
  const r = live.record;
  const adopted: ContainerStatus[] = [];
  for (const c of initsOf(r)) {
    if (c.state !== 'Running') continue;
    if (holderOurs && (await ctx.runtime.inspect(c.pid, c.startTime, r.sandbox!.netns))) {
      adoptContainer(ctx, live, c.name);
      adopted.push(c);
      continue;
    }
    await markLost(ctx, c);
    live.exitedWhileBusy.add(c.name);
  }
  return adopted;
}

/**
 * A pod whose create, stop or removal was under way: everything in its recorded namespaces is
 * stopped and its veths deleted, so the manager can finish the operation. Returns the number
 * of processes stopped.
 */
export async function clearPod(ctx: PodContext, live: LivePod, scan?: ProcessScan): Promise<number> {
  const r = live.record;
  // A namespace is ours only while a process we recorded (pid and start time) is in it: a
  // namespace's inode number can be reused once it is freed, by anyone's namespace.
  const ours: number[] = [];
  for (const p of [r.sandbox, ...allContainers(r)]) if (p?.pid && (await isSameProcess(p.pid, p.startTime))) ours.push(p.pid);
  const killed = (await PinnedNamespace.sweepOnce('net', r.sandbox?.netns, ours, { scan })) + (await clearBuilding(ctx, live, scan));
  if (r.sandbox) await deleteVeth(ctx.ipTeardown, r.sandbox.hostVeth);
  for (const c of allContainers(r)) if (c.state !== 'Terminated') await markLost(ctx, c);
  return killed;
}

/** The half-built sandbox of a create or recovery the last daemon did not finish (or whose rollback failed: stop.ts). */
export async function clearBuilding(ctx: PodContext, live: LivePod, scan?: ProcessScan): Promise<number> {
  const b = live.record.building;
  if (!b) return 0;
  const killed = (await isSameProcess(b.pid, b.startTime)) ? await PinnedNamespace.sweepOnce('net', b.netns, [b.pid], { scan }) : 0;
  await deleteVeth(ctx.ipTeardown, b.hostVeth);
  live.record.building = null;
  return killed;
}

/**
 * Ended while no daemon watched it. Its shim kept how (the status file in its bundle, or in
 * STATE/nsenter/ID for one without an image; read before they go); for one an older daemon
 * started without a shim, nobody knows (kubelet's ContainerStatusUnknown).
 */
async function markLost(ctx: PodContext, c: ContainerStatus): Promise<void> {
  const kept = c.containerID ? await ctx.runtime.exitStatus(c.containerID) : undefined;
  // Its bundle: nobody was there to remove it. A failure is gc's to finish, never a reason to stop restoring.
  if (c.containerID) await ctx.runtime.remove(c.containerID).catch((err: Error) => log.warn({ container: c.containerID, err: err.message }, 'could not remove a lost container\'s bundle'));
  const finishedAt = new Date().toISOString();
  const exitCode = kept?.code ?? null;
  const signal = kept?.signal ?? null;
  const reason = !kept ? 'Unknown' : exitCode === 0 ? 'Completed' : 'Error';
  c.lastState = { exitCode, signal, reason, startedAt: c.startedAt, finishedAt };
  Object.assign(c, { state: 'Terminated', reason, ready: false, pid: null, netns: null, finishedAt, exitCode, signal });
}
