// The pods a daemon holds: the public operations (create, stop, remove, kill, list) and the
// supervisor's wiring — deaths detected by watch.ts and containers.ts, decided by
// supervisor/plan.ts, carried out by create/stop/recreate. Every operation on a pod runs under
// that pod's lock, through the state machine in state.ts.
import { rm } from 'node:fs/promises';
import { nanoid } from 'nanoid';
import { asMinipodError, MinipodError } from '../errors.js';
import type { IpBatch } from '../exec/ip-batch.js';
import { spawnProcess, type Proc } from '../exec/run.js';
import { DEFAULT_PATH } from '../process/app.js';
import { onExit } from '../process/exit.js';
import { isSameProcess } from '../process/identity.js';
import { inPodNamespaces } from '../process/nsenter.js';
import type { Tools } from '../exec/tools.js';
import { podLogger } from '../log.js';
import { allocate } from '../network/ipam.js';
import { bridgePorts } from '../network/bridge.js';
import { listeningPorts } from '../network/listening.js';
import { killProcessesIn, processesByNamespace } from '../process/sweep.js';
import { readNamespace } from '../sandbox/netns.js';
import { signalGroup, stopProcess } from '../process/stop.js';
import { PidWatcher } from '../process/watcher.js';
import type { HolderPool } from '../sandbox/pool.js';
import { Steps } from '../sandbox/steps.js';
import { DNS_LABEL, type PodManifest } from '../spec/pod-spec.js';
import type { LeaseStore } from '../store/leases.js';
import type { PodStore } from '../store/pod-store.js';
import type { EventLog } from '../supervisor/events.js';
import { DEFAULT_BACKOFF, planContainerExit, type BackoffConfig } from '../supervisor/plan.js';
import { containerStatus, startContainer } from './containers.js';
import { createPod, logDir } from './create.js';
import { findOrphans, removeOrphans, type Orphan } from './gc.js';
import { epochMs, newLivePod, withLock, type LivePod, type NodeConfig, type PodContext } from './live.js';
import { recoverSandbox } from './recreate.js';
import { adoptPod, clearPod, type NodeView } from './restore.js';
import { canRemove, canTransition, setPhase } from './state.js';
import { stopPod } from './stop.js';
import type { PodRecord } from './types.js';
import path from 'node:path';

export type { NodeConfig };

/** How often the split-brain guard compares every app's netns with its holder's. */
const GUARD_INTERVAL_MS = 1000;
const SANDBOX_RETRY_MAX_MS = 30_000;
/** The key of a pod's pending sandbox-recovery retry among its timers. */
const RETRY = '(sandbox)';
/** Events about the node rather than one pod. */
const NODE = { name: '(node)', uid: '-' };

export class PodManager {
  private readonly pods = new Map<string, LivePod>();
  private readonly leased = new Set<string>();
  private readonly ctx: PodContext;
  private guard: NodeJS.Timeout | undefined;
  /** Set on a shutdown that leaves the pods running: what dies from now on is the next daemon's. */
  private detached = false;

  constructor(node: NodeConfig, tools: Tools, ip: IpBatch, ipTeardown: IpBatch, pool: HolderPool, store: PodStore, private readonly leases: LeaseStore, events: EventLog, backoff: BackoffConfig = DEFAULT_BACKOFF) {
    this.ctx = {
      node,
      tools,
      ip,
      ipTeardown,
      pool,
      watcher: new PidWatcher(),
      store,
      leases,
      events,
      backoff,
      ips: { allocate: (owner) => this.allocateIp(owner), release: (ip) => this.releaseIp(ip) },
      onSandboxLost: (live, cause) => this.sandboxLost(live, cause),
      onContainerExit: (live, name) => this.containerExited(live, name),
    };
  }

  async init(): Promise<void> {
    const { records, quarantined } = await this.ctx.store.loadAll();
    for (const q of quarantined) {
      this.ctx.events.record(DNS_LABEL.test(q.name) ? { name: q.name, uid: '-' } : NODE, 'RecordQuarantined', `${q.file}: moved aside and never run, it fails validation: ${q.issues.join('; ')} (\`minipod gc\` lists it)`, { type: 'Warning' });
    }
    const leftovers = await this.ctx.pool.takeLeftovers();
    for (const why of leftovers.rejected) this.ctx.events.record(NODE, 'StateFileRejected', `${why}: removed, not trusted`, { type: 'Warning' });
    if (leftovers.netnses.length) {
      const killed = await killProcessesIn('net', leftovers.netnses);
      this.ctx.events.record(NODE, 'OrphanRemoved', `${leftovers.netnses.length} pause holder(s) no pod owned, ${killed} process(es) stopped`, { type: 'Warning' });
    }
    // What a dead daemon left that no record names (a quarantined record's holder, apps, veth and
    // lease included: nothing of it runs); the record and its logs stay for a person to read.
    const orphans = await findOrphans(this.ctx, records, null);
    // What gc only reports: quarantined records and their logs (for a person to read), and the
    // namespace mounts (on a shared host one may be somebody's own); `gc --fix` removes them.
    await removeOrphans(this.ctx, orphans.filter((o) => !o.kept));
    for (const ip of await this.leases.list()) this.leased.add(ip);
    const ports = new Map<string, Set<string>>();
    for (const bridge of new Set(records.map((r) => r.bridge))) ports.set(bridge, new Set(await bridgePorts(this.ctx.ip, bridge)));
    const view: NodeView = { ports, processes: await processesByNamespace('net') };
    for (const record of records) {
      const live = newLivePod(record);
      this.pods.set(record.name, live);
      if (record.phase !== 'Stopped' || record.deletionTimestamp) await this.restore(live, view).catch((err: Error) => podLogger(record).error({ err: err.message }, 'restore failed'));
    }
    this.guard = setInterval(() => void this.checkNamespaces(), GUARD_INTERVAL_MS);
    this.guard.unref();
    this.ctx.pool.refill();
  }

  /**
   * A pod the last daemon left. A running one is re-adopted as it runs (restore.ts) and
   * supervised again; one whose sandbox died meanwhile is rebuilt per its restart policy. A
   * creation that never finished is removed, a removal or stop under way is finished.
   */
  private async restore(live: LivePod, view: NodeView): Promise<void> {
    const r = live.record;
    if (r.phase === 'Pending' || r.deletionTimestamp || r.phase === 'Terminating') {
      const message = `daemon restarted: ${await clearPod(this.ctx, live)} process(es) of the last daemon's sandbox stopped`;
      live.terminating = true;
      if (r.phase === 'Terminating' && !r.deletionTimestamp) return void (await withLock(live, () => stopPod(this.ctx, live, 'stop finished after a daemon restart')));
      // A creation that never returned, or a removal under way: the pod is made entirely gone.
      const pending = r.phase === 'Pending';
      this.ctx.events.record(r, pending ? 'CreateInterrupted' : 'RemoveResumed', `${message}; the ${pending ? 'unfinished' : 'removed'} pod is removed`, { type: 'Warning' });
      return void (await withLock(live, () => this.removeLocked(live)));
    }
    // Under the pod's lock: a death heard while adopting is handled once the adoption is done.
    const a = await withLock(live, () => adoptPod(this.ctx, live, view));
    const parts = [a.adoptHolder ? `pause ${r.sandbox!.pid}` : null, ...a.adopt.map((n) => `${n} ${r.containers.find((c) => c.name === n)!.pid}`)].filter(Boolean);
    this.ctx.events.record(r, 'Restored', `daemon restarted: re-adopted ${parts.length ? parts.join(', ') : 'nothing'} (pid and start time checked)${a.strays ? `; ${a.strays} stray process(es) in the sandbox stopped` : ''}`);
    for (const name of a.lost) this.ctx.events.record(r, 'ContainerDied', 'exited while the daemon was down (status unknown)', { type: 'Warning', container: name });
    for (const name of a.pending) this.ctx.events.record(r, 'RestartResumed', 'ended before the last daemon restarted it: decided again per restartPolicy', { container: name });
    if (a.rebuild) {
      if (r.phase !== 'SandboxLost') setPhase(r, 'SandboxLost');
      this.sandboxLost(live, a.rebuild);
      return;
    }
    for (const c of r.containers) {
      if (c.state === 'Waiting' && c.reason === 'CrashLoopBackOff') this.scheduleRestart(live, c.name, Math.max(0, Date.parse(c.restartAt ?? '') - Date.now() || 0));
    }
    await this.ctx.store.persist(r); // a full disk does not stop a restore: written once it can be
    this.settleExits(live);
  }

  /** `minipod gc`: what no pod owns; removed with fix. */
  async gc(fix: boolean): Promise<Orphan[]> {
    const orphans = await findOrphans(this.ctx, this.list(), await this.ctx.pool.sparePid());
    const failed = fix ? await removeOrphans(this.ctx, orphans) : [];
    if (failed.length) throw new MinipodError('COMMAND_FAILED', `gc --fix could not remove ${failed.length} orphan(s): ${failed.join('; ')} (see \`minipod events\`)`, { details: failed });
    return orphans;
  }

  /** The log file of every running container: what the log rotation checks. */
  runningLogs(): string[] {
    return [...this.pods.values()].flatMap((p) => p.record.containers.filter((c) => c.pid !== null).map((c) => c.logPath));
  }

  list(): PodRecord[] {
    return [...this.pods.values()].map((p) => p.record).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(name: string): PodRecord {
    return this.live(name).record;
  }

  private live(name: string): LivePod {
    const live = this.pods.get(name);
    if (!live) throw new MinipodError('NOT_FOUND', `pod ${name} not found: \`minipod ps\` lists the pods`);
    return live;
  }

  /** The record with namespaces read fresh from /proc and readiness brought up to date. */
  async inspect(name: string): Promise<PodRecord> {
    return this.observe(this.get(name));
  }

  async listObserved(): Promise<PodRecord[]> {
    return Promise.all(this.list().map((r) => this.observe(r)));
  }

  private async observe(live: PodRecord): Promise<PodRecord> {
    await this.updateReadiness(live);
    const record = structuredClone(live);
    for (const c of record.containers) c.netns = c.pid ? ((await readNamespace(c.pid)) ?? null) : null;
    return record;
  }

  /**
   * A running container is ready once its declared ports listen. Ready is latched until the
   * container exits: /proc/PID/net/tcp walks every socket on the machine, so it is read only
   * for containers still waiting to become ready.
   */
  private async updateReadiness(r: PodRecord): Promise<void> {
    let listening: Set<string> | undefined;
    for (const c of r.containers) {
      if (c.ready || c.state !== 'Running' || !r.sandbox) continue;
      const ports = r.manifest.spec.containers.find((s) => s.name === c.name)?.ports ?? [];
      if (ports.length) listening ??= await listeningPorts(r.sandbox.pid);
      c.ready = ports.every((p) => listening!.has(`${p.protocol}/${p.containerPort}`));
    }
  }

  async create(manifest: PodManifest): Promise<PodRecord> {
    const t0 = performance.now();
    const name = manifest.metadata.name;
    if (this.pods.has(name)) throw new MinipodError('ALREADY_EXISTS', `pod ${name} already exists: remove it with \`minipod rm -f ${name}\` or pick another name`);
    const live = newLivePod(newRecord(this.ctx, manifest));
    // Reserve the name before the first await so a concurrent create of the same name fails.
    this.pods.set(name, live);
    try {
      const record = await withLock(live, () => createPod(this.ctx, live, t0));
      if (!live.holder) this.sandboxLost(live, 'pause died while the pod was being created');
      this.settleExits(live);
      return record;
    } catch (err) {
      const cleanupFailed = err instanceof MinipodError && err.cleanupErrors.length > 0;
      if (!cleanupFailed) this.pods.delete(name);
      else {
        // The rollback left something behind: keep the record so `rm -f` can finish the job.
        const r = live.record;
        setPhase(r, 'Terminating');
        r.message = `${err.message}; cleanup failed: ${err.cleanupErrors.map((e) => e.message).join('; ')}`;
        await this.ctx.store.persist(r);
      }
      throw err;
    } finally {
      this.ctx.pool.refill();
    }
  }

  /** Stop every app and tear the sandbox down; the record stays (Stopped) until `rm`. */
  async stop(name: string): Promise<PodRecord> {
    const live = this.live(name);
    live.terminating = true; // a recovery in progress gives up at its next step
    return withLock(live, () => stopPod(this.ctx, live));
  }

  async remove(name: string, force: boolean): Promise<void> {
    const live = this.live(name);
    if (!canRemove(live.record.phase) && !force) {
      throw new MinipodError('CONFLICT', `pod ${name} is ${live.record.phase}: stop it first (\`minipod stop ${name}\`) or use \`minipod rm -f ${name}\``);
    }
    live.terminating = true;
    await withLock(live, () => this.removeLocked(live));
  }

  /** Stop (if need be), then delete logs and record. Persists the intent first (deletionTimestamp). */
  private async removeLocked(live: LivePod): Promise<void> {
    const r = live.record;
    if (this.pods.get(r.name) !== live) return; // removed meanwhile
    if (r.phase === 'Stopped' && !r.deletionTimestamp) {
      r.deletionTimestamp = new Date().toISOString();
      await this.ctx.store.persist(r);
    }
    await stopPod(this.ctx, live, 'pod removed', 'remove');
    const steps = new Steps('remove');
    try {
      steps.begin('delete logs');
      // Retried: a rotation already under way may add NAME.log.1 while the directory is emptied.
      await rm(logDir(this.ctx, r.name), { recursive: true, force: true, maxRetries: 3 });
      steps.end();
      steps.begin('delete record');
      await this.ctx.store.remove(r.name); // retried until it succeeds, should the disk refuse it
      steps.end();
    } catch (err) {
      throw new MinipodError(asMinipodError(err).code, `failed to remove pod ${r.name}: ${steps.current}: ${(err as Error).message} (run \`minipod rm -f ${r.name}\` again)`, { cause: err });
    }
    this.pods.delete(r.name);
    this.ctx.events.record(r, 'Removed', `pod ${r.name} removed`);
  }

  /** Run argv in the pod's namespaces with piped stdio (`minipod exec`); tracked until it exits. */
  exec(name: string, argv: string[]): Proc {
    const live = this.live(name);
    const r = live.record;
    if (r.phase !== 'Running' || !r.sandbox) throw new MinipodError('CONFLICT', `pod ${name} is ${r.phase}: exec needs a Running pod`);
    const proc = spawnProcess(this.ctx.node.cgroups.wrap(r.uid, inPodNamespaces(this.ctx.tools.nsenter, r.sandbox.pid, argv)), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: DEFAULT_PATH, HOSTNAME: r.name, TERM: 'xterm' },
      cwd: '/',
    });
    live.execs.add(proc);
    onExit(proc, () => live.execs.delete(proc));
    return proc;
  }

  /** Send a signal to the pod's pause holder or to one of its containers (experiments). */
  kill(name: string, target: { sandbox: true } | { container: string }, signal: NodeJS.Signals): { pid: number; signal: string } {
    const live = this.live(name);
    const proc = 'sandbox' in target ? live.holder : live.apps.get(target.container);
    if ('container' in target && !live.record.containers.some((c) => c.name === target.container)) {
      throw new MinipodError('NOT_FOUND', `container ${target.container} not found in pod ${name}`);
    }
    if (!proc?.pid) throw new MinipodError('CONFLICT', `pod ${name} has no running ${'sandbox' in target ? 'pause holder' : `container ${target.container}`} (${live.record.phase})`);
    try {
      process.kill(proc.pid, signal);
    } catch {
      throw new MinipodError('CONFLICT', `pid ${proc.pid} of pod ${name} exited just now; try again`);
    }
    this.ctx.events.record(live.record, 'KillRequested', `sent ${signal} to ${'sandbox' in target ? 'pause' : target.container} ${proc.pid}`, { type: 'Warning', ...('container' in target ? { container: target.container } : {}) });
    return { pid: proc.pid, signal };
  }

  /** Daemon shutdown with --stop-pods-on-exit: stop every pod (in parallel), leaving no process, veth or lease. */
  async stopAll(): Promise<void> {
    clearInterval(this.guard);
    await this.ctx.pool.close();
    await Promise.allSettled(
      [...this.pods.values()].map((live) => {
        live.terminating = true;
        return withLock(live, () => stopPod(this.ctx, live, 'daemon shutting down'));
      }),
    );
    await this.ctx.store.close(); // a last try of what the disk refused; the rest is lost with us
    this.ctx.watcher.close();
  }

  /**
   * Daemon shutdown by default (live restore): the pods keep running and the next daemon
   * re-adopts them. Operations in progress get a moment to finish and persist; one still going
   * after that is finished by the next daemon, as after a crash. Exec sessions end with their
   * connections.
   */
  async detachAll(waitMs = 5000): Promise<void> {
    this.detached = true;
    clearInterval(this.guard);
    await this.ctx.pool.close();
    let timer: NodeJS.Timeout | undefined;
    const settled = Promise.allSettled(
      [...this.pods.values()].map(async (live) => {
        for (const t of live.restartTimers.values()) clearTimeout(t); // re-armed by the next daemon from restartAt
        live.restartTimers.clear();
        await Promise.all([...live.execs].map((p) => stopProcess(p, 0)));
        // Once what is in progress is done, the record as it stands now: what the supervisor
        // changed without waiting for its write (an exit, a back-off) is on disk for the next daemon.
        await withLock(live, async () => {
          if (this.pods.get(live.record.name) === live) await this.ctx.store.persist(live.record); // not if removed meanwhile
        });
      }),
    );
    await Promise.race([settled, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    await this.ctx.store.close(); // a last try of what the disk refused; the rest is lost with us
    this.ctx.watcher.close();
  }

  private sandboxLost(live: LivePod, cause: string, retry = 0): void {
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
        clearTimeout(live.restartTimers.get(RETRY)); // recovered: no retry pending
        live.restartTimers.delete(RETRY);
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
      clearTimeout(live.restartTimers.get(RETRY));
      live.restartTimers.set(RETRY, setTimeout(() => r.phase === 'SandboxLost' && this.sandboxLost(live, cause, retry + 1), delay));
    });
  }

  /** Apps that exited while the pod was busy are decided now that it runs. */
  private settleExits(live: LivePod): void {
    if (this.detached || live.record.phase !== 'Running') return; // the next daemon decides
    for (const name of live.exitedWhileBusy) this.containerExited(live, name);
    live.exitedWhileBusy.clear();
  }

  /** An app exited on its own: restart it per restartPolicy, with back-off. */
  private containerExited(live: LivePod, name: string): void {
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
    const plan = planContainerExit(r.manifest.spec.restartPolicy, c.exitCode, c.crashes, ranMs, this.ctx.backoff);
    c.crashes = plan.crashes;
    if (plan.restart) {
      if (plan.delayMs > 0) {
        Object.assign(c, { state: 'Waiting', reason: 'CrashLoopBackOff', restartAt: new Date(Date.now() + plan.delayMs).toISOString() });
        this.ctx.events.record(r, 'BackOff', `Back-off ${plan.delayMs / 1000}s restarting failed container (crash ${plan.crashes} in a row)`, { type: 'Warning', container: name });
      }
      this.scheduleRestart(live, name, plan.delayMs);
    }
    void this.ctx.store.persist(r);
  }

  /** Start an exited app again after delayMs (0: at once), unless the pod has moved on meanwhile. */
  private scheduleRestart(live: LivePod, name: string, delayMs: number): void {
    const r = live.record;
    const restart = () =>
      withLock(live, async () => {
        if (this.detached || r.phase !== 'Running' || live.terminating || live.apps.has(name) || !live.holder) return;
        await startContainer(this.ctx, live, name);
        await this.ctx.store.persist(r);
      }).catch((err: Error) => this.ctx.events.record(r, 'Failed', `restart failed: ${err.message}`, { type: 'Warning', container: name }));
    if (delayMs === 0) void restart();
    else live.restartTimers.set(name, setTimeout(() => void restart(), delayMs));
  }

  /**
   * The split-brain guard: every app must share its holder's network namespace. A holder that is
   * no longer in the pod's namespace (what podman leaves behind when its infra container is
   * replaced) is a lost sandbox. An app that left it (it unshared or setns'd itself away) is that
   * app's failure: it is killed and restarted per restartPolicy, with back-off, so an app that
   * keeps leaving cannot make the pod rebuild its sandbox over and over.
   */
  private async checkNamespaces(): Promise<void> {
    for (const live of this.pods.values()) {
      const r = live.record;
      if (r.phase !== 'Running' || !r.sandbox || !live.holder) continue;
      const holderNs = await readNamespace(live.holder.pid!);
      if (!holderNs) continue; // it just died: its exit event starts the recovery
      for (const [name, proc] of live.apps) {
        // Only an app whose start is done (its startTime is recorded once nsenter has joined) and
        // that is still that very process: one being started is briefly outside, a pid may be reused.
        const c = r.containers.find((s) => s.name === name);
        if (!c || !(await isSameProcess(proc.pid!, c.startTime))) continue;
        const netns = await readNamespace(proc.pid!);
        if (!netns || netns === r.sandbox.netns || r.phase !== 'Running') continue;
        const message = `container ${name} (pid ${proc.pid}) is in ${netns}, its pause holder in ${holderNs ?? r.sandbox.netns}`;
        if (holderNs === r.sandbox.netns) {
          this.ctx.events.record(r, 'NetnsMismatch', `${message}: the container left the pod's network namespace; killing it (restarted per restartPolicy)`, { type: 'Warning', container: name });
          signalGroup(proc.pid!, 'SIGKILL');
          continue;
        }
        this.ctx.events.record(r, 'NetnsMismatch', message, { type: 'Warning', container: name });
        setPhase(r, 'SandboxLost');
        r.conditions = [{ type: 'NetnsMismatch', message, since: new Date().toISOString() }];
        this.sandboxLost(live, `NetnsMismatch: ${message}`);
        break;
      }
    }
  }

  private async allocateIp(owner: string): Promise<string> {
    for (;;) {
      const ip = allocate(this.ctx.node.subnet, this.leased);
      this.leased.add(ip);
      let acquired: boolean;
      try {
        acquired = await this.leases.acquire(ip, owner);
      } catch (err) {
        this.leased.delete(ip);
        throw err;
      }
      if (acquired) return ip;
      // A lease file we did not know of (another daemon's?): leave it taken and try the next.
    }
  }

  private async releaseIp(ip: string): Promise<void> {
    await this.leases.release(ip);
    this.leased.delete(ip);
  }
}

function newRecord(ctx: PodContext, manifest: PodManifest): PodRecord {
  const logs = logDir(ctx, manifest.metadata.name);
  return {
    name: manifest.metadata.name,
    uid: nanoid(),
    createdAt: new Date().toISOString(),
    phase: 'Pending',
    message: null,
    ip: '',
    prefix: ctx.node.subnet.prefix,
    gateway: ctx.node.subnet.gateway,
    mac: '',
    bridge: ctx.node.bridge,
    sandbox: null,
    building: null,
    deletionTimestamp: null,
    containers: manifest.spec.containers.map((c) => ({
      name: c.name,
      state: 'Waiting',
      reason: 'ContainerCreating',
      ready: false,
      pid: null,
      netns: null,
      restartCount: 0,
      startedAt: null,
      finishedAt: null,
      exitCode: null,
      signal: null,
      lastState: null,
      crashes: 0,
      restartAt: null,
      argv: [],
      logPath: path.join(logs, `${c.name}.log`),
    })),
    conditions: [],
    manifest,
    timings: null,
    lastRecovery: null,
  };
}
