// The pods a daemon holds, behind the operations the API server and daemon call. A thin facade:
// each verb lives in its own module (create, stop, remove, exec, gc, boot, shutdown), the pods
// in the registry, and what happens on its own when something dies in the supervisor, which a
// front end that decides for itself (CRI) switches off. Every operation on a pod runs under
// that pod's lock, through the state machine in state.ts.
import { podTop, type ContainerTop } from './top.js';
import { MinipodError } from '../errors.js';
import type { IpBatch } from '../os/ip-batch.js';
import { IpAllocator } from '../network/allocator.js';
import type { HostPorts } from '../network/hostports.js';
import { PidWatcher } from '../process/watcher.js';
import { RuntimeRouter } from '../runtime/router.js';
import type { ContainerRuntime, StartedExec } from '../runtime/types.js';
import type { HolderPool } from '../sandbox/pool.js';
import type { PodManifest } from '../manifest/pod-spec.js';
import type { LeaseStore } from '../store/leases.js';
import type { PodStore } from '../store/pod-store.js';
import type { EventLog } from '../supervisor/events.js';
import { DEFAULT_BACKOFF, type BackoffConfig } from './plan.js';
import type { Supervision, SupervisionFactory } from './supervision.js';
import { applyPod, type PodApplyResult } from './apply.js';
import { bootPods, type Loaded, type Started } from './boot.js';
import { Housekeeper } from './housekeeping.js';
import { createPod } from './create.js';
import { execInPod, killInPod, type ExecOptions, type KillTarget } from './exec.js';
import { findOrphans, removeOrphans, type Orphan } from './gc.js';
import { newLivePod, withLock, type ImageResolver, type NodeConfig, type PodContext } from './live.js';
import { observe, readyNow, updateReadiness } from './readiness.js';
import { podTable, type PodTable } from './table.js';
import { listFlag, podKey, podTitle } from '../manifest/pod-key.js';
import { newRecord } from './record.js';
import { PodRegistry } from './registry.js';
import { removePod } from './remove.js';
import { detachAll, stopAll } from './shutdown.js';
import { setPhase } from './state.js';
import { stopPod } from './stop.js';
import type { PodRecord } from './types.js';

/** No image store: every image is missing. */
const NO_IMAGES: ImageResolver = { resolve: async () => undefined };

export type { NodeConfig };

export interface PodManagerOptions {
  node: NodeConfig;
  ip: IpBatch;
  /** A second ip -batch for deletions (see PodContext.ipTeardown). */
  ipTeardown: IpBatch;
  pool: HolderPool;
  store: PodStore;
  leases: LeaseStore;
  events: EventLog;
  backoff?: BackoffConfig;
  /** Who decides when something dies: the supervisor (restarts, recoveries, the guard), or a
   * front end's no-op (supervisor/unsupervised.ts: deaths are only recorded). */
  supervise: SupervisionFactory;
  /** What runs the containers; nsenter, runc and crun (runtime/router.ts) unless given. */
  runtime?: (watcher: PidWatcher) => ContainerRuntime;
  /** Where images are found (lib/image's store); none: a container with an image is refused. */
  images?: ImageResolver;
  /** Where hostPorts are published (the node's NAT table); none: a hostPort is refused. */
  hostPorts?: HostPorts;
}

/** Every method that takes a pod takes its key (key.ts): its name in default, NS_NAME elsewhere. */
export class PodManager {
  private readonly pods = new PodRegistry();
  private readonly ips: IpAllocator;
  private readonly ctx: PodContext;
  private readonly supervisor: Supervision;
  /**
   * Set as a shutdown that stops every pod begins: a create that comes after it (its request taken
   * just before) is refused, where it would be left running, out of the pods stopped. A shutdown
   * that leaves the pods lets it finish (an `apply` replacing a pod removes it first): its record
   * is written, and the next daemon re-adopts it.
   */
  private stoppingAll = false;
  /** The boot's housekeeping (housekeeping.ts): set by init. */
  private readonly housekeeper = new Housekeeper();

  constructor(o: PodManagerOptions) {
    // A full subnet with teardowns under way waits for them: their addresses are free once they are done.
    this.ips = new IpAllocator(o.node.subnet, o.leases, () => this.removalsDone());
    const { supervise, runtime, images, backoff = DEFAULT_BACKOFF, ...parts } = o;
    const watcher = new PidWatcher();
    this.ctx = {
      ...parts,
      backoff,
      watcher,
      runtime: runtime?.(watcher) ?? new RuntimeRouter(watcher, o.node.stateDir, { pidsLimit: o.node.pidsLimit, ociRuntime: o.node.ociRuntime, prepare: { crun: o.node.prepareCrun } }),
      images: images ?? NO_IMAGES,
      ips: this.ips,
      onSandboxLost: (live, cause) => this.supervisor.sandboxLost(live, cause),
      onContainerExit: (live, name) => this.supervisor.containerExited(live, name),
      onImageMissing: (live, name) => this.supervisor.imageMissing(live, name),
    };
    this.supervisor = supervise(this.ctx, this.pods);
  }

  /**
   * loaded: the store's records, if the caller read them already (the daemon, beside its network
   * set-up); scan, ports and network: the boot's pass over /proc, bridges' ports and the node's
   * network, if the caller started them (boot.ts Started). The boot's
   * housekeeping runs before this returns, unless `housekeepLater`: then it is the caller's to
   * start (housekeep), once it answers (the daemon, after a handoff).
   */
  async init(loaded?: Loaded, { housekeepLater, ...started }: { housekeepLater?: boolean } & Started = {}): Promise<void> {
    this.ctx.network = started.network;
    this.housekeeper.set(await bootPods({ ctx: this.ctx, pods: this.pods, ips: this.ips, supervisor: this.supervisor }, loaded, started));
    await started.network; // the housekeeping deletes veths and addresses; the mappings go into the NAT table
    if (!housekeepLater) await this.housekeep();
    // The NAT table was made afresh at start: the pods that kept their address get their mappings back.
    await this.ctx.hostPorts?.sync(this.list());
    this.supervisor.start();
    // The spare holders are the caller's to start once it answers (the daemon, after "ready"):
    // two spawns of the main thread's that a restart need not wait for.
  }

  /** Run the boot's housekeeping (once; every call waits for it). */
  housekeep(): Promise<void> {
    return this.housekeeper.run();
  }

  /** Whether the boot's housekeeping has yet to finish (GET /stats). */
  housekeepingPending(): boolean {
    return this.housekeeper.pending;
  }

  /** Wait for the teardowns under way; false if there were none. */
  async removalsDone(): Promise<boolean> {
    const pending = this.pods.removals();
    await Promise.all(pending);
    return pending.length > 0;
  }

  /** How many pods are gone for the user but still being torn down. */
  removing(): number {
    return this.pods.removals().length;
  }

  /** `minipod gc`: what no pod owns; removed with fix. */
  async gc(fix: boolean): Promise<Orphan[]> {
    await this.housekeep(); // what it is removing is not listed, nor removed twice
    await this.removalsDone(); // what a teardown under way still owns is not an orphan, only not done yet
    const orphans = await findOrphans(this.ctx, () => this.pods.list(true), await this.ctx.pool.sparePids());
    const failed = fix ? await removeOrphans(this.ctx, orphans, undefined, () => this.pods.list(true)) : [];
    if (failed.length) throw new MinipodError('COMMAND_FAILED', `gc --fix could not remove ${failed.length} orphan(s): ${failed.join('; ')} (see \`minipod events\`)`, { details: failed });
    return orphans;
  }

  /** The log file of every running container: what the log rotation checks. */
  runningLogs(): string[] {
    return this.pods.runningLogs();
  }

  /** The pods, as the user sees them (not those being torn down). */
  list(): PodRecord[] {
    return this.pods.list();
  }

  /** Also the pods being torn down: what still uses an image, a port, an address. */
  listAll(): PodRecord[] {
    return this.pods.list(true);
  }

  get(name: string): PodRecord {
    return this.pods.live(name).record;
  }

  /** The record with namespaces read fresh from /proc and readiness brought up to date. */
  async inspect(name: string): Promise<PodRecord> {
    return observe(this.get(name));
  }

  /** Each container's CPU and memory from its cgroup (`minipod top`). */
  async top(name: string): Promise<ContainerTop[]> {
    return podTop(this.ctx, this.get(name));
  }

  /** keep: which pods (a listing's namespace and label selector, api/scope.ts); all by default. */
  async listObserved(keep: (r: PodRecord) => boolean = () => true): Promise<PodRecord[]> {
    return Promise.all(this.list().filter(keep).map((r) => observe(r)));
  }

  /** The pods as kubectl's Table (lib/pod/table.ts): readiness brought up to date, no record copied. */
  async table(keep: (r: PodRecord) => boolean = () => true): Promise<PodTable> {
    const pods = this.list().filter(keep);
    await Promise.all(pods.map((r) => updateReadiness(r)));
    return podTable(pods, this.ctx.node.name, Date.now(), readyNow);
  }

  async create(manifest: PodManifest): Promise<PodRecord> {
    const t0 = performance.now();
    const key = podKey(manifest.metadata.namespace, manifest.metadata.name);
    // The key is held until the teardown of the pod removed under it is done (its record, logs
    // and netns name are kept by key), and a hostPort until its mappings are gone (the address
    // it points at is not released before): a create waits for them rather than fails.
    const hostPorts = !manifest.spec.hostNetwork && manifest.spec.containers.some((c) => c.ports.some((p) => p.hostPort));
    for (let removal; (removal = this.pods.removal(key) ?? (hostPorts && this.pods.removals().length ? this.removalsDone() : undefined)); ) await removal;
    if (this.stoppingAll) throw new MinipodError('UNAVAILABLE', `${podTitle(key)} was not created: the minipod daemon is stopping every pod and shutting down (\`node stop\`, or --stop-pods-on-exit)`);
    if (this.pods.has(key)) throw new MinipodError('ALREADY_EXISTS', `${podTitle(key)} already exists: remove it with \`minipod rm${listFlag(key)} -f ${manifest.metadata.name}\` or pick another name`);
    // Its logs are kept by name with it, for a person to read: a new pod would write over them.
    const kept = this.ctx.store.quarantinedFile(key);
    if (kept) throw new MinipodError('ALREADY_EXISTS', `${podTitle(key)} has a quarantined record, ${kept} (\`minipod gc\` says why it failed validation), kept with its logs: read them, then remove both with \`minipod gc --fix\`, or pick another name`);
    const live = newLivePod(newRecord(this.ctx, manifest));
    // Reserve the name before the first await so a concurrent create of the same name fails.
    this.pods.add(live);
    try {
      const record = await withLock(live, () => createPod(this.ctx, live, t0));
      if (!live.holder) this.supervisor.sandboxLost(live, 'pause died while the pod was being created');
      this.supervisor.settleExits(live);
      return record;
    } catch (err) {
      const cleanupFailed = err instanceof MinipodError && err.cleanupErrors.length > 0;
      if (!cleanupFailed) this.pods.delete(key);
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

  /** Create the pod, leave it as it is (same manifest), or replace it (apply.ts). */
  async apply(manifest: PodManifest): Promise<{ result: PodApplyResult; pod: PodRecord }> {
    return applyPod({ find: (n) => (this.pods.has(n) && !this.pods.removal(n) ? this.get(n) : undefined), create: (m) => this.create(m), remove: (n) => this.remove(n, true), inspect: (n) => this.inspect(n) }, manifest);
  }

  /** Stop every app and tear the sandbox down; the record stays (Stopped) until `rm`. */
  async stop(name: string): Promise<PodRecord> {
    const live = this.pods.live(name);
    live.terminating = true; // a recovery in progress gives up at its next step
    return withLock(live, () => stopPod(this.ctx, live));
  }

  async remove(name: string, force: boolean): Promise<void> {
    await removePod(this.ctx, this.pods, name, force);
  }

  /** Run argv in a container of the pod with piped stdio (`minipod exec`). */
  exec(name: string, argv: string[], opts: ExecOptions = {}): Promise<StartedExec> {
    return execInPod(this.ctx, this.pods.live(name), argv, opts);
  }

  /** Send a signal to the pod's pause holder or to one of its containers (experiments). */
  kill(name: string, target: KillTarget, signal: NodeJS.Signals): { pid: number; signal: string } {
    return killInPod(this.ctx, this.pods.live(name), target, signal);
  }

  /** Daemon shutdown with --stop-pods-on-exit: every pod stopped, leaving no process, veth or lease. */
  async stopAll(): Promise<void> {
    this.stoppingAll = true;
    this.supervisor.stop(false);
    await this.housekeeper.stop();
    await stopAll(this.ctx, this.pods);
  }

  /** Daemon shutdown by default (live restore): the pods keep running for the next daemon. */
  async detachAll(waitMs = 5000): Promise<void> {
    this.supervisor.stop(true);
    await this.housekeeper.stop();
    await detachAll(this.ctx, this.pods, waitMs);
  }
}
