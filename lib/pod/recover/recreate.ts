// Recreate: a new sandbox with the same IP and MAC, wired while the old apps still run; then the
// old veth leaves the bridge, the old apps stop and the old sandbox is cleared (veth, holder if
// alive, cgroup); then the apps start in the new one. Steps side by side (sandbox/steps.ts), each
// failpoint-tested. Returns with the pod still SandboxLost if the new
// holder died meanwhile (a recovery for that death is queued behind us).
import { MinipodError } from '../../errors.js';
import { unmountNamespace } from '../../process/namespace.js';
import { KILL_WAIT_MS, killedGone } from '../../process/stop.js';
import { removeNetnsFile } from '../../sandbox/netns-name.js';
import { createSandbox, deleteSandbox, startSandbox, type Sandbox, type SandboxStart } from '../../sandbox/sandbox.js';
import { detachVeth } from '../../network/veth.js';
import { Steps } from '../../sandbox/steps.js';
import { UndoStack } from '../../sandbox/undo.js';
import { stopContainer } from '../containers.js';
import { startPodContainers } from '../create.js';
import { recordSandboxReady, sandboxConfig } from '../sandbox-run.js';
import { allContainers } from '../init-status.js';
import { nameNetns } from '../netns.js';
import { isHostNetwork } from '../host-network.js';
import { epochMs, round, type LivePod, type PodContext } from '../live.js';
import { keyOf } from '../../manifest/pod-key.js';
import { checkSpace } from '../../store/persist.js';
import { setPhase } from '../state.js';
import type { RecoveryTimeline, SandboxStatus } from '../types.js';
import { watchHolder } from '../watch.js';
import { OldNamespace } from './old-namespace.js';
import { finishTimeline, phaseSums } from './timeline.js';
import { endExecs } from '../exec.js';

/** What the steps of one recreation share. */
interface Run {
  ctx: PodContext;
  live: LivePod;
  steps: Steps;
  undo: UndoStack;
  timeline: RecoveryTimeline;
  old: SandboxStatus;
  oldNs: OldNamespace;
  /** The old veth's removal, under way from step 2 on. */
  removed: Promise<void>;
  /** The old sandbox's processes killed through the pod's cgroup in step 3, until they are gone. */
  killed: Promise<void>;
  /** Step 1 has begun: what its apps leave in the old namespace is swept, even on a failure. */
  stopping: boolean;
}

export async function recreate(ctx: PodContext, live: LivePod, plan: { attempt: number; start: string[] }, timeline: RecoveryTimeline): Promise<void> {
  const r = live.record;
  const old = r.sandbox!;
  checkSpace(ctx.node.stateDir, 'recreate sandbox'); // nothing is stopped or made for a rebuild that could not be written down
  const run: Run = { ctx, live, steps: new Steps('recreate'), undo: new UndoStack(), timeline, old, oldNs: new OldNamespace(old.netns), removed: Promise.resolve(), killed: Promise.resolve(), stopping: false };
  // Forgotten first: the old holder's death (or its stop, in a split brain) is no new loss.
  const oldHolder = live.holder;
  live.holder = null;
  let sandbox: Sandbox;
  try {
    // Pinned while the old namespace is surely the old one (a process of ours is in it): it must
    // not be anyone else's number by the time its stragglers are swept.
    run.oldNs.pinVia(oldHolder?.pid, [...live.apps.values()].map((p) => p.pid));
    const start = await startHolder(run);
    // 1. The new sandbox is wired first, the Recreating record written meanwhile; then 2. the old
    // apps stop (until then the old namespace answers for the pod) and 3. the old sandbox is
    // cleared: the old namespace's end would hold the rtnl lock while the new veth is made.
    const built = buildNew(run, start);
    const persisted = run.steps.run('persist record', async () => {
      await ctx.store.save(r, { fsync: false }); // the Running record is synced
      await ctx.pool.owned(start.pid);
    });
    ctx.events.record(r, 'SandboxChanged', `Pod sandbox changed (${timeline.cause}), it will be killed and re-created (attempt ${timeline.attempt})`);
    const cleared = Promise.all([built, persisted]).then(() => run.steps.run('stop apps', () => stopOldApps(run))).then(() => run.steps.run('clear old sandbox', () => clearOld(run, start, oldHolder)));
    [sandbox] = await run.steps.all([built, cleared, persisted] as const);
    const saved = switchRecord(run, sandbox, start, plan.attempt);
    if (live.terminating || live.holder !== sandbox.proc) return await lost(ctx, live, saved, run.removed, run.oldNs.swept, run.killed);
    await startApps(run, plan.start);
    await saved;
    await run.removed;
    await run.oldNs.swept;
    await run.killed; // nothing of the old sandbox is left running once the pod is Running again
    if (live.terminating || live.holder !== sandbox.proc) return await lost(ctx, live, saved, run.removed, run.oldNs.swept, run.killed);
  } catch (err) {
    run.steps.stop();
    const step = run.steps.current;
    await run.removed.catch(() => {});
    await run.killed;
    if (run.stopping) await run.oldNs.sweep();
    else run.oldNs.release(); // the old apps run on, untouched, until the retry
    const failure = await run.undo.rollback(err);
    if (!run.stopping) live.holder = oldHolder; // the old sandbox is as it was: its holder's handle too (a split brain's live one)
    const wrapped = new MinipodError(failure.code, `recreate sandbox: ${step}: ${failure.message}`, { cause: failure });
    wrapped.cleanupErrors.push(...failure.cleanupErrors);
    throw wrapped;
  }

  setPhase(r, 'Running');
  r.conditions = [];
  r.message = null;
  finishTimeline(r, timeline);
  await ctx.store.persist(r); // it runs: a refused write is retried, never a reason to rebuild again
  const replaced = isHostNetwork(r) ? `pause ${old.pid} replaced by pause ${sandbox.pid} (hostNetwork: still the node's ${sandbox.netns})` : `${old.netns} replaced by ${sandbox.netns}`;
  ctx.events.record(r, 'SandboxRecreated', `${timeline.cause} → ${replaced}, attempt ${timeline.attempt}, ${plan.start.length} app(s) restarted; ${phaseSums(timeline)}`);
}

/** 0. The new holder (the pool's spare, usually) and veth name, in the record as Recreating (written by step "persist record"). */
async function startHolder({ ctx, live, steps, undo }: Run): Promise<SandboxStart> {
  const r = live.record;
  const start = await startSandbox(ctx.pool, undo, steps, { pidNamespace: r.manifest.spec.shareProcessNamespace, hostNetwork: isHostNetwork(r) });
  r.building = { pid: start.pid, startTime: start.startTime, netns: start.netns, hostVeth: start.hostVeth };
  undo.push('building record', async () => void (r.building = null));
  setPhase(r, 'Recreating');
  return start;
}

/**
 * 2. Take the old veth off the bridge, so frames for the pod's MAC go to the new namespace (until
 * now the old one answered them: a reset, or the old app, so no client waited out a lost SYN);
 * then stop the apps still in the old namespace, and exec'd commands: nothing may keep it alive.
 * From the first line on a failure sweeps the old namespace: its apps are unreachable.
 */
async function stopOldApps(run: Run): Promise<void> {
  const { ctx, live, timeline, old } = run;
  const r = live.record;
  run.stopping = true;
  if (old.hostVeth) await detachVeth(ctx.ipTeardown, old.hostVeth);
  const t = epochMs();
  const graceMs = r.manifest.spec.terminationGracePeriodSeconds * 1000;
  if (live.apps.size) ctx.events.record(r, 'Killing', `stopping ${[...live.apps.keys()].join(', ')} in the old sandbox ${old.netns}, grace period ${graceMs / 1000}s`);
  await Promise.all([...allContainers(r).map((c) => stopContainer(ctx, live, c.name, graceMs)), endExecs(live, `pod ${r.name} lost its sandbox, and its containers are started again in a new one: run the command again`)]);
  timeline.stopAppsMs = round(epochMs() - t);
}

/**
 * 3. Remove the old veth and holder (removeOld), empty the pod's cgroup (whatever the old
 * sandbox's apps left anywhere: another namespace, a setsid daemon) and unmount what still
 * mounts the old namespace.
 */
async function clearOld(run: Run, start: SandboxStart, oldHolder: LivePod['holder']): Promise<void> {
  const { ctx, live, old, oldNs } = run;
  const r = live.record;
  removeOld(run, oldHolder);
  void oldNs.sweep(); // stragglers an app left outside its process group (setsid) in the old namespace
  // The new holder joins the pod's cgroup only after this kill, so it is spared. The write returns
  // before the processes die: those it held then are waited out beside the apps' start.
  const dying = await ctx.node.cgroups.kill(r.uid);
  run.killed = killedGone(dying).then((left) => {
    if (left.length) ctx.events.record(r, 'CleanupFailed', `the old sandbox's pid(s) ${left.join(', ')} still there ${KILL_WAIT_MS / 1000}s after SIGKILL (stuck in the kernel?): see /proc/PID/stack`, { type: 'Warning' });
  });
  await ctx.node.cgroups.create(r.uid); // gone after a reboot, or never made (an older minipod)
  void ctx.node.cgroups.adopt(r.uid, start.pid).catch(() => {}); // bookkeeping, off the critical path
  // A bind mount of the old namespace (pinned from the start, so still its number) goes before a
  // restarted app can mount its new one over the same path, where umount could no longer reach it.
  // Never for a hostNetwork pod: its old namespace is the node's, which stays (and whose mounts are not ours).
  if (!isHostNetwork(r)) await unmountNamespace(old.netns);
}

/**
 * The old veth, and the old holder if it is still alive (a split brain), removed on the teardown
 * lane once the apps have stopped. The kernel takes ~20 ms to delete a veth; the new one has a
 * fresh name, so the recovery waits for it only before it is declared done.
 */
function removeOld(run: Run, oldHolder: LivePod['holder']): void {
  const { ctx, live, timeline, old } = run;
  const r = live.record;
  const t = epochMs();
  run.removed = deleteSandbox(ctx.ipTeardown, { proc: oldHolder, hostVeth: old.hostVeth }).then(
    () => {
      timeline.teardownMs = round(epochMs() - t); // beside the cgroup's clearing and the apps' start
      ctx.events.record(r, 'SandboxDeleted', old.hostVeth ? `old veth ${old.hostVeth} removed; nothing holds ${old.netns} any more` : `old pause ${old.pid} gone with the pod's old IPC namespace; the node's network stays (hostNetwork)`);
    },
    // The old sandbox is no part of the new one: its cleanup failing must not undo the
    // recovery. Reported; `minipod gc` (and every daemon start) finds the veth if it stays.
    (err: Error) => ctx.events.record(r, 'CleanupFailed', `old veth ${old.hostVeth}: ${err.message}`, { type: 'Warning' }),
  );
}

/**
 * 1. A new sandbox: new namespaces, fresh veth name, same IP and MAC. The pod's `ip netns` name
 * goes meanwhile (the new holder unmounts it, no umount process; its registry entry stays): it
 * would keep the old namespace alive with no process in it. The old veth stays on the bridge until
 * step 2, so a frame for the pod reaches a namespace that answers.
 */
async function buildNew(run: Run, start: SandboxStart): Promise<Sandbox> {
  const { ctx, live, steps, undo, timeline, old } = run;
  const r = live.record;
  // Beside the veth: the holder reads the unbind before its config, which waits for both.
  const unnamed = isHostNetwork(r) ? Promise.resolve() : removeNetnsFile(ctx.node, keyOf(r), (file) => start.holder.unbind(file));
  undo.track(unnamed); // awaited through the config below; a rollback waits for it
  const sandbox = await createSandbox(ctx.ip, start, r.bridge, unnamed.then(() => sandboxConfig(r)), undo, steps);
  timeline.wiredAt = epochMs(); // as floor C's: eth0 up in the new namespace, the old veth still on the bridge
  recordSandboxReady(ctx, r, sandbox, isHostNetwork(r) ? String(old.pid) : old.netns);
  live.holder = sandbox.proc;
  watchHolder(ctx, live, sandbox.proc);
  undo.push('holder watch', async () => void (live.holder = null)); // a rollback's stop is no death
  timeline.sandboxMs = round(sandbox.sandboxMs);
  timeline.networkMs = round(sandbox.networkMs);
  await nameNetns(ctx, r, sandbox, undo, steps); // the name follows the sandbox
  return sandbox;
}

/**
 * Once the old apps are gone, the record names the new sandbox (until then it stays in `building`:
 * the pod's containers, still the old ones, are not shown in a sandbox they do not run in).
 */
function switchRecord({ ctx, live, undo, old }: Run, sandbox: Sandbox, start: SandboxStart, attempt: number): Promise<void> {
  const r = live.record;
  r.sandbox = { pid: sandbox.pid, startTime: start.startTime, netns: sandbox.netns, attempt, hostVeth: sandbox.hostVeth, createdAt: new Date().toISOString() };
  r.building = null;
  undo.push('sandbox record', async () => void (r.sandbox = old));
  const saved = ctx.store.save(r); // written while the apps start
  saved.catch(() => {}); // awaited after step 4
  return saved;
}

/** 4. The apps, inside the new namespaces. */
async function startApps({ ctx, live, steps, undo, timeline }: Run, names: string[]): Promise<void> {
  const t = epochMs();
  await startPodContainers(ctx, live, names, undo, steps); // the init containers first, again, as kubelet does
  timeline.appsMs = round(epochMs() - t);
  timeline.appsStartedAt = epochMs();
}

/** The new holder died before we finished: stay SandboxLost; the recovery for it is queued. */
async function lost(ctx: PodContext, live: LivePod, ...pending: Promise<unknown>[]): Promise<void> {
  await Promise.all(pending);
  if (live.terminating) return;
  setPhase(live.record, 'SandboxLost');
  await ctx.store.persist(live.record);
}
