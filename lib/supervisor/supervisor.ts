// The supervisor: what minipod does on its own when something dies, apart from the mechanism
// (create, stop, recover) it calls. An app that exits is restarted per restartPolicy with
// back-off; a lost sandbox is recovered, and retried with back-off while it cannot be rebuilt;
// the split-brain guard (guard.ts) reports what left the pod's namespace. A front end that
// decides these things itself (CRI: kubelet) runs without it: see unsupervised.ts.
import { podLogger } from '../log.js';
import { containerStatus, startContainer } from '../pod/containers.js';
import { epochMs, withLock, type LivePod, type PodContext } from '../pod/live.js';
import { recoverSandbox } from '../pod/recover/recover.js';
import type { PodRegistry } from '../pod/registry.js';
import { canTransition, setPhase } from '../pod/state.js';
import { checkNamespaces } from './guard.js';
import { skipWhileRunning } from '../util/skip-while-running.js';
import { imageRetryDelay, planContainerExit } from '../pod/plan.js';
import { afterInit, initRestartPolicy, resumeInit } from '../pod/init.js';
import { podEnded } from '../pod/completion.js';
import { stopPod } from '../pod/stop.js';
import { allContainers, isInit } from '../pod/init-status.js';
import type { Supervision } from '../pod/supervision.js';
import { Prober } from '../probe/prober.js';

export type { Supervision };


/** How often the split-brain guard compares every app's netns with its holder's. */
const GUARD_INTERVAL_MS = 1000;
const SANDBOX_RETRY_MAX_MS = 30_000;

export class Supervisor implements Supervision {
  private guard: NodeJS.Timeout | undefined;
  /** Set on a shutdown that leaves the pods running: what dies from now on is the next daemon's. */
  private detached = false;
  /** Probes are kubelet's, so the supervisor's: a front end that decides itself (CRI) probes itself. */
  private readonly prober: Prober;

  constructor(
    private readonly ctx: PodContext,
    private readonly pods: PodRegistry,
  ) {
    this.prober = new Prober(ctx, pods);
  }

  start(): void {
    this.prober.start();
    // A pass that outlasts the interval (thousands of pods, a loaded node) is not run twice at once.
    const pass = skipWhileRunning(() => checkNamespaces(this.ctx, this.pods.all(), (live, cause) => this.sandboxLost(live, cause)));
    this.guard = setInterval(() => void pass(), GUARD_INTERVAL_MS);
    this.guard.unref();
  }

  stop(detach: boolean): void {
    if (detach) this.detached = true;
    clearInterval(this.guard);
    this.prober.stop();
  }

  sandboxLost(live: LivePod, cause: string, retry = 0): void {
    const detectedAt = epochMs();
    const r = live.record;
    if (this.detached || live.terminating || !['Running', 'SandboxLost', 'Recreating'].includes(r.phase)) return;
    if (r.phase === 'Running') {
      // Not persisted here: the recovery persists Recreating before it makes anything.
      setPhase(r, 'SandboxLost');
      r.message = cause;
      r.conditions = [{ type: 'SandboxLost', message: cause, since: new Date().toISOString() }];
    }
    withLock(live, async () => {
      await recoverSandbox(this.ctx, live, cause, detectedAt).finally(() => this.ctx.pool.refill());
      if (r.phase === 'Running') {
        clearTimeout(live.sandboxRetry); // recovered: no retry pending
        live.sandboxRetry = undefined;
      }
      this.settleExits(live);
    }).catch((err: Error) => {
      // The new sandbox could not be built: stay SandboxLost and try again, backing off.
      if (live.terminating || !(r.phase === 'SandboxLost' || canTransition(r.phase, 'SandboxLost'))) return;
      if (r.phase !== 'SandboxLost') setPhase(r, 'SandboxLost');
      r.message = err.message;
      const delay = Math.min(SANDBOX_RETRY_MAX_MS, 1000 * 2 ** retry);
      this.ctx.events.record(r, 'FailedCreatePodSandBox', `${err.message}; retrying in ${delay / 1000}s`, { type: 'Warning' });
      podLogger(r).error({ err: err.message }, 'sandbox recovery failed');
      clearTimeout(live.sandboxRetry);
      live.sandboxRetry = setTimeout(() => r.phase === 'SandboxLost' && this.sandboxLost(live, cause, retry + 1), delay);
    });
  }

  settleExits(live: LivePod): void {
    if (this.detached || live.record.phase !== 'Running') return; // the next daemon decides
    for (const name of live.exitedWhileBusy) this.containerExited(live, name);
    live.exitedWhileBusy.clear();
    this.endIfDone(live); // one that ended while no daemon ran, or before a last teardown was done
  }

  /**
   * Every container has ended for good (completion.ts): the pod is Succeeded or Failed, and, as
   * kubelet does, its sandbox is stopped and its IP released; the record and logs stay until rm.
   */
  private endIfDone(live: LivePod): void {
    const r = live.record;
    if (this.detached || live.terminating || r.phase !== 'Running' || !podEnded(r)) return;
    withLock(live, async () => {
      const phase = podEnded(r); // again under the lock: a recovery or a stop may have come first
      if (this.detached || live.terminating || r.phase !== 'Running' || !phase) return;
      live.terminating = true;
      const why = `completed (${phase}): every container has ended`;
      r.message ??= why; // written with Terminating: a teardown finished by the next daemon keeps it
      this.ctx.events.record(r, 'PodCompleted', `every container has ended (${phase}): stopping the sandbox${r.ip ? ` and releasing ${r.ip}` : ''}, as kubelet does; the record and logs stay until rm`);
      await stopPod(this.ctx, live, why, { ended: true });
    }).catch((err: Error) => {
      this.ctx.events.record(r, 'CleanupFailed', `the sandbox of the completed pod could not be stopped: ${err.message}`, { type: 'Warning' });
      podLogger(r).error({ err: err.message }, 'completed pod: teardown failed');
    });
  }

  /** Restart it per restartPolicy, with back-off. */
  containerExited(live: LivePod, name: string): void {
    const r = live.record;
    const c = containerStatus(live, name);
    if (this.detached || live.terminating) return;
    if (r.phase !== 'Running') {
      // Mid-create or mid-recovery: the operation in progress settles it when it is done (a
      // recovery that restarts this app anyway makes the decision moot).
      live.exitedWhileBusy.add(name);
      return;
    }
    const ranMs = Date.parse(c.finishedAt!) - Date.parse(c.startedAt!);
    const init = isInit(r, name);
    const policy = init ? initRestartPolicy(r.manifest.spec.restartPolicy) : r.manifest.spec.restartPolicy;
    const plan = planContainerExit(policy, c.exitCode, c.crashes, ranMs, this.ctx.backoff);
    c.crashes = plan.crashes;
    if (plan.restart) {
      if (plan.delayMs > 0) {
        Object.assign(c, { state: 'Waiting', reason: 'CrashLoopBackOff', restartAt: new Date(Date.now() + plan.delayMs).toISOString() });
        this.ctx.events.record(r, 'BackOff', `Back-off ${plan.delayMs / 1000}s restarting failed container (crash ${plan.crashes} in a row)`, { type: 'Warning', container: name });
      }
      this.scheduleRestart(live, name, plan.delayMs);
    } else if (init) this.initEnded(live, name);
    void this.ctx.store.persist(r);
    this.endIfDone(live);
  }

  /** An init container ended for good: the next one or the apps start, or the pod has failed (init.ts). */
  private initEnded(live: LivePod, name: string): void {
    const r = live.record;
    const { start, failed } = afterInit(r, name);
    if (failed) {
      const c = containerStatus(live, name);
      r.message = `init container ${name} failed (${c.signal ?? `exit code ${c.exitCode}`}) and restartPolicy is Never: the containers never start`;
      this.ctx.events.record(r, 'InitFailed', r.message, { type: 'Warning', container: name });
    } else if (start.length && !isInit(r, start[0]!)) this.ctx.events.record(r, 'Initialized', `every init container completed: starting ${start.join(', ')}`);
    for (const next of start) this.scheduleRestart(live, next, 0);
  }

  /** Tried again after kubelet's back-off (1 s, 2 s, … 5 min): a start that finds it imported (or
   * that no longer fails, after RunContainerError) runs it. */
  imageMissing(live: LivePod, name: string): void {
    if (this.detached || live.terminating) return;
    const c = containerStatus(live, name);
    c.crashes++;
    const delayMs = imageRetryDelay(c.crashes, this.ctx.backoff);
    c.restartAt = new Date(Date.now() + delayMs).toISOString();
    this.scheduleRestart(live, name, delayMs);
    void this.ctx.store.persist(live.record);
  }

  resumeBackoff(live: LivePod): void {
    // What a daemon that died between an init container's exit and the next start left to start.
    for (const name of resumeInit(live.record)) this.scheduleRestart(live, name, 0);
    for (const c of allContainers(live.record)) {
      if (c.state === 'Waiting' && (c.reason === 'CrashLoopBackOff' || c.reason === 'ErrImageNeverPull' || c.reason === 'RunContainerError' || c.reason === 'CreateContainerConfigError')) this.scheduleRestart(live, c.name, Math.max(0, Date.parse(c.restartAt ?? '') - Date.now() || 0));
    }
  }

  /** Start an exited app again after delayMs (0: at once), unless the pod has moved on meanwhile. */
  private scheduleRestart(live: LivePod, name: string, delayMs: number): void {
    const r = live.record;
    const restart = () =>
      withLock(live, async () => {
        if (this.detached || r.phase !== 'Running' || live.terminating || live.apps.has(name) || !live.holder) return;
        await startContainer(this.ctx, live, name);
        await this.ctx.store.persist(r);
      }).catch((err: Error) => {
        // A start that fails (a runc error, an image re-imported without the program) is tried
        // again with back-off, as kubelet does with CreateContainerError: never left for good.
        this.ctx.events.record(r, 'Failed', `restart failed: ${err.message}`, { type: 'Warning', container: name });
        if (this.detached || live.terminating || r.phase !== 'Running' || live.apps.has(name)) return;
        const c = containerStatus(live, name);
        Object.assign(c, { state: 'Waiting', reason: 'RunContainerError', message: err.message, ready: false, pid: null });
        this.imageMissing(live, name);
      });
    if (delayMs === 0) void restart();
    else live.restartTimers.set(name, setTimeout(() => void restart(), delayMs));
  }
}
