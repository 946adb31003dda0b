// Sandbox recovery, what kubelet does on "Pod sandbox changed, it will be killed and re-created":
// stop the apps left in the old namespace, remove the old veth (and holder, if alive), build a
// new sandbox with the same IP and MAC, start the apps in it. Or, with sandboxDeathPolicy
// Rejoin, put a new holder into the namespace the apps still keep alive. Runs under the pod's
// lock; gives up between steps if the pod is being stopped, and returns with the pod still
// SandboxLost if the new holder died meanwhile (a recovery for that death is queued behind us).
import { MinipodError } from '../errors.js';
import { createSandbox, deleteSandbox, rejoinSandbox, startSandbox, type Sandbox } from '../sandbox/sandbox.js';
import { Steps } from '../sandbox/steps.js';
import { UndoStack } from '../sandbox/undo.js';
import { planSandboxLoss } from '../supervisor/plan.js';
import { startContainer, stopContainer } from './containers.js';
import { recordSandboxReady, sandboxConfig } from './create.js';
import { epochMs, round, type LivePod, type PodContext } from './live.js';
import { startTimeOf } from '../process/identity.js';
import { stopProcess } from '../process/stop.js';
import { killProcessesIn } from '../process/sweep.js';
import { pinNamespace, unmountNamespace, type NamespacePin } from '../sandbox/netns.js';
import { setPhase } from './state.js';
import { stopPod } from './stop.js';
import type { RecoveryTimeline } from './types.js';
import { watchHolder } from './watch.js';

export async function recoverSandbox(ctx: PodContext, live: LivePod, cause: string, detectedAt: number): Promise<void> {
  const r = live.record;
  if (live.terminating || r.phase !== 'SandboxLost' || !r.sandbox) return; // recovered or ending already
  const started = epochMs();
  let plan = planSandboxLoss(r.manifest.spec.sandboxDeathPolicy, r.manifest.spec.restartPolicy, r.sandbox.attempt, r.containers, live.holder !== null);
  const timeline: RecoveryTimeline = {
    cause,
    action: plan.action,
    attempt: plan.action === 'stop' ? r.sandbox.attempt : plan.attempt,
    detectedAt,
    detectMs: round(started - detectedAt),
    stopAppsMs: 0,
    teardownMs: 0,
    sandboxMs: 0,
    networkMs: 0,
    appsMs: 0,
    totalMs: 0,
    wiredAt: 0,
    appsStartedAt: 0,
  };
  const finish = () => {
    timeline.totalMs = round(epochMs() - detectedAt);
    r.lastRecovery = timeline;
  };

  if (plan.action === 'rejoin') {
    try {
      const holder = await rejoinSandbox(ctx.tools.nsenter, plan.via, r.sandbox.netns);
      await ctx.node.cgroups.create(r.uid); // gone after a reboot
      void ctx.node.cgroups.adopt(r.uid, holder.pid).catch(() => {}); // nsenter execs pause in place; neither forks
      live.holder = holder.proc;
      r.sandbox = { ...r.sandbox, pid: holder.pid, startTime: (await startTimeOf(holder.pid)) ?? null, attempt: plan.attempt, createdAt: new Date().toISOString() };
      watchHolder(ctx, live, holder.proc);
      timeline.sandboxMs = round(epochMs() - started);
      timeline.wiredAt = timeline.appsStartedAt = epochMs();
      setPhase(r, 'Running');
      r.conditions = [];
      r.message = null;
      finish();
      await ctx.store.persist(r);
      ctx.events.record(r, 'SandboxRejoined', `${cause}: pause ${holder.pid} joined ${r.sandbox.netns} through pid ${plan.via}; apps, IP and connections kept, 0 restarts (${timeline.totalMs} ms)`);
      return;
    } catch (err) {
      ctx.events.record(r, 'RejoinFailed', `${(err as Error).message}: ${plan.fallback.action === 'stop' ? 'stopping the pod' : 'recreating the sandbox'} instead`, { type: 'Warning' });
      plan = plan.fallback;
      timeline.action = plan.action;
    }
  }

  if (plan.action === 'stop') {
    r.lastRecovery = timeline;
    ctx.events.record(r, 'SandboxChanged', `Pod sandbox changed (${cause}), and ${plan.reason}: stopping the pod`, { type: 'Warning' });
    await stopPod(ctx, live, plan.reason);
    return;
  }

  const steps = new Steps('recreate');
  const undo = new UndoStack();
  let removed: Promise<void> = Promise.resolve();
  const old = r.sandbox;
  // The old namespace, pinned in step 1; what is left in it is swept once the new sandbox is
  // wired (off the critical path), or on the way out of a recovery that stops early.
  let pin: NamespacePin | undefined;
  let pinnedHolder: number | undefined;
  let swept: Promise<void> = Promise.resolve();
  const sweepOld = (): Promise<void> => {
    const fh = pin;
    pin = undefined;
    if (!fh) return swept;
    swept = killProcessesIn('net', [old.netns], new Set(pinnedHolder ? [pinnedHolder] : []))
      .then(() => {}, () => {})
      .finally(() => fh.close());
    return swept;
  };
  let sandbox: Sandbox;
  try {
    // 0. The new holder (the pool's spare, usually) and veth name, persisted with Recreating
    // before the first new kernel object; stopping the old apps creates nothing, so it overlaps
    // the write (awaited after step 1).
    const start = await startSandbox(ctx.pool, undo, steps);
    r.building = { pid: start.pid, startTime: start.startTime, netns: start.netns, hostVeth: start.hostVeth };
    undo.push('building record', async () => void (r.building = null));
    setPhase(r, 'Recreating');
    const recreating = ctx.store.save(r);
    recreating.catch(() => {}); // awaited after step 1; a failure surfaces there
    ctx.events.record(r, 'SandboxChanged', `Pod sandbox changed (${cause}), it will be killed and re-created (attempt ${timeline.attempt})`);

    // 1. Stop the apps still in the old namespace.
    steps.begin('stop apps');
    let t = epochMs();
    const graceMs = r.manifest.spec.terminationGracePeriodSeconds * 1000;
    if (live.apps.size) ctx.events.record(r, 'Killing', `stopping ${[...live.apps.keys()].join(', ')} in the old sandbox ${old.netns}, grace period ${graceMs / 1000}s`);
    // Pinned while the old namespace is surely the old one (a process of ours is in it): its
    // stragglers are swept by its inode number once the new sandbox is wired, and it must not be
    // anyone else's number by then.
    pinnedHolder = live.holder?.pid;
    pin = pinNamespace('net', old.netns, [pinnedHolder, ...[...live.apps.values()].map((p) => p.pid)]);
    // exec'd commands too: nothing may keep the old namespace alive
    await Promise.all([...r.containers.map((c) => stopContainer(live, c.name, graceMs)), ...[...live.execs].map((p) => stopProcess(p, 0))]);
    timeline.stopAppsMs = round(epochMs() - t);
    steps.end();

    // The Recreating record, written while the apps stopped: on a full disk, the error says so.
    steps.begin('persist record');
    await recreating;
    await ctx.pool.owned(start.pid);
    steps.end();

    // 2. Remove the old veth, and the old holder if it is still alive (a split brain). The kernel
    // takes ~20 ms to delete a veth; the new one has a fresh name, so we do not wait for it here
    // (it runs on the teardown lane) but before the recovery is declared done.
    steps.begin('remove old veth');
    t = epochMs();
    const oldHolder = live.holder;
    live.holder = null;
    // Whatever the old sandbox's apps left anywhere (another namespace, a setsid daemon) dies
    // with it; the new holder joins the pod's cgroup only after this kill, so it is spared.
    await ctx.node.cgroups.kill(r.uid);
    await ctx.node.cgroups.create(r.uid); // gone after a reboot, or never made (an older minipod)
    void ctx.node.cgroups.adopt(r.uid, start.pid).catch(() => {}); // bookkeeping, off the critical path
    // A bind mount of the old namespace (pinned since step 1, so still its number) goes before a
    // restarted app can mount its new one over the same path, where umount could no longer reach it.
    await unmountNamespace(old.netns);
    removed = deleteSandbox(ctx.ipTeardown, { proc: oldHolder, hostVeth: old.hostVeth }).then(
      () => {
        timeline.teardownMs = round(epochMs() - t); // in parallel with the new sandbox
        ctx.events.record(r, 'SandboxDeleted', `old veth ${old.hostVeth} removed; nothing holds ${old.netns} any more`);
      },
      // The old sandbox is no part of the new one: its cleanup failing must not undo the
      // recovery. Reported; `minipod gc` (and every daemon start) finds the veth if it stays.
      (err: Error) => ctx.events.record(r, 'CleanupFailed', `old veth ${old.hostVeth}: ${err.message}`, { type: 'Warning' }),
    );
    steps.end();
    if (live.terminating) return void (await Promise.all([removed, sweepOld()]));

    // 3. A new sandbox: new namespaces, fresh veth name, same IP and MAC.
    sandbox = await createSandbox(ctx.ip, start, sandboxConfig(r), undo, steps);
    live.holder = sandbox.proc;
    r.sandbox = { pid: sandbox.pid, startTime: start.startTime, netns: sandbox.netns, attempt: plan.attempt, hostVeth: sandbox.hostVeth, createdAt: new Date().toISOString() };
    r.building = null;
    watchHolder(ctx, live, sandbox.proc);
    // Undone newest first: forget the holder (its stop is no death), then the record goes back.
    undo.push('sandbox record', async () => void (r.sandbox = old));
    undo.push('holder watch', async () => void (live.holder = null));
    timeline.sandboxMs = round(sandbox.sandboxMs);
    timeline.networkMs = round(sandbox.networkMs);
    timeline.wiredAt = epochMs();
    void sweepOld(); // stragglers an app left outside its process group (setsid) in the old namespace
    const saved = ctx.store.save(r); // written while the apps start
    saved.catch(() => {}); // awaited after step 4
    recordSandboxReady(ctx, r, sandbox, old.netns);
    if (live.terminating || live.holder !== sandbox.proc) return await lost(ctx, live, saved, removed, swept);

    // 4. The apps, inside the new namespaces.
    steps.begin('start containers');
    t = epochMs();
    for (const name of plan.start) {
      undo.push(`container ${name}`, () => stopContainer(live, name, 0));
      await startContainer(ctx, live, name);
    }
    timeline.appsMs = round(epochMs() - t);
    timeline.appsStartedAt = epochMs();
    steps.end();
    await saved;
    await removed;
    await swept;
    if (live.terminating || live.holder !== sandbox.proc) return await lost(ctx, live, saved, removed, swept);
  } catch (err) {
    await removed.catch(() => {});
    await sweepOld();
    const failure = await undo.rollback(err);
    const wrapped = new MinipodError(failure.code, `recreate sandbox: ${steps.current}: ${failure.message}`, { cause: failure });
    wrapped.cleanupErrors.push(...failure.cleanupErrors);
    throw wrapped;
  }

  setPhase(r, 'Running');
  r.conditions = [];
  r.message = null;
  finish();
  await ctx.store.persist(r); // it runs: a refused write is retried, never a reason to rebuild again
  ctx.events.record(
    r,
    'SandboxRecreated',
    `${cause} → ${old.netns} replaced by ${sandbox.netns}, attempt ${timeline.attempt}, ${plan.start.length} app(s) restarted; ` +
      `detect ${timeline.detectMs} + stop apps ${timeline.stopAppsMs} + teardown ${timeline.teardownMs} + sandbox ${timeline.sandboxMs} + network ${timeline.networkMs} + apps ${timeline.appsMs} = ${timeline.totalMs} ms`,
  );
}

/** The new holder died before we finished: stay SandboxLost; the recovery for it is queued. */
async function lost(ctx: PodContext, live: LivePod, ...pending: Promise<unknown>[]): Promise<void> {
  await Promise.all(pending);
  if (live.terminating) return;
  setPhase(live.record, 'SandboxLost');
  await ctx.store.persist(live.record);
}
