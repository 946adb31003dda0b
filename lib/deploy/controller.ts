// The Deployment controller: keeps `replicas` pods of a Deployment's template, as Kubernetes'
// Deployment + ReplicaSet controllers do together (minipod has no ReplicaSet object: the pods
// carry the Deployment as their owner). A pass compares what each Deployment wants with the pods
// it owns (ownerReference uid and the selector's labels) and acts on planDeployment's answer.
// Each Deployment has its passes, one at a time, side by side with the others' (one waiting for a
// pod's grace period holds up no other): on every API change, on every pod event (a pod removed or
// stopped by hand is replaced at once), and every RESYNC_MS as a safety net. A pod being torn down
// (`rm` answered, its teardown still under way: up to its grace period) is not in pods.list():
// neither counted as a replica nor removed again, as a ReplicaSet ignores a pod with a
// deletionTimestamp; but no pod of a new template is made while one of an old template is still
// going (Recreate: two versions never run at once). Changes to the records (apply, scale, remove)
// are made one at a time. A daemon restart re-reads the records and finds the running pods by
// owner and labels: nothing is made twice.
import { MinipodError } from '../errors.js';
import { log } from '../log.js';
import { DEFAULT_NAMESPACE } from '../manifest/pod-spec.js';
import { listFlag, parseKey, podKey } from '../manifest/pod-key.js';
import type { DeploymentManifest } from '../manifest/deployment-spec.js';
import type { PodManager } from '../pod/manager.js';
import type { PodRecord } from '../pod/types.js';
import type { EventLog, PodEvent } from '../supervisor/events.js';
import { podNameFor } from './names.js';
import { nextRecord, withRestartedAt } from './apply-plan.js';
import { oldTemplateGoing, ownedBy, ownedPod, podFromTemplate } from './owned.js';
import { planDeployment } from './plan.js';
import { replicasOf } from './status.js';
import type { DeploymentRecord, DeploymentStore } from './store.js';
import { byText } from '../util/order.js';

export const RESYNC_MS = 2000;
/** A failed pod create is retried after this, doubling up to FAILED_CREATE_MAX_MS. */
const FAILED_CREATE_BASE_MS = 1000;
const FAILED_CREATE_MAX_MS = 30_000;

export type ApplyResult = 'created' | 'configured' | 'unchanged';

export class DeploymentController {
  /** By key (deploymentKey: the name in default, NS_NAME elsewhere, as pods). */
  private readonly records = new Map<string, DeploymentRecord>();
  private readonly failures = new Map<string, { count: number; retryAt: number }>();
  /** Per key, the pass under way, and whether another is due once it ends. */
  private readonly passes = new Map<string, { pass: Promise<void>; again: boolean }>();
  /** The record changes (apply, scale, remove), one after the other: each reads what the last wrote. */
  private changes: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Any pod's event may concern an owned pod; the controller's own (deployment/NAME) never start a pass. */
  private readonly onEvent = (e: PodEvent) => void (e.pod.startsWith('deployment/') || this.kick());

  constructor(
    private readonly store: DeploymentStore,
    private readonly pods: PodManager,
    private readonly events: EventLog,
  ) {}

  /** Load the records (after the pods are restored), then keep them. */
  async init(): Promise<void> {
    const { records } = await this.store.loadAll();
    for (const r of records) this.records.set(deploymentKey(r), r);
    this.events.on('event', this.onEvent);
    this.timer = setInterval(() => this.kick(), RESYNC_MS);
    this.timer.unref();
    void this.kick(); // not awaited: the API serves while missing pods are made
  }

  /** No more passes (daemon shutdown): the one under way finishes first. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.events.off('event', this.onEvent);
    await Promise.all([...this.passes.values()].map((p) => p.pass));
  }

  /** Run change after the ones before it (none reads a record another is about to replace). */
  private serially<T>(change: () => Promise<T>): Promise<T> {
    const done = this.changes.then(change);
    this.changes = done.catch(() => {});
    return done;
  }

  list(): DeploymentRecord[] {
    return [...this.records.values()].sort((a, b) => byText(a.createdAt, b.createdAt));
  }

  get(key: string): DeploymentRecord {
    const r = this.records.get(key);
    const { namespace, name } = parseKey(key);
    if (!r) throw new MinipodError('NOT_FOUND', `deployment ${name} not found${namespace === DEFAULT_NAMESPACE ? '' : ` in namespace ${namespace}`}: \`minipod get deployments${listFlag(key)}\` lists them`);
    return r;
  }

  /** The pods d owns, oldest first. */
  podsOf(d: DeploymentRecord, pods: PodRecord[] = this.pods.list()): PodRecord[] {
    return pods.filter((p) => ownedBy(d, p));
  }

  /** `apply -f`: create the Deployment, or change its spec (a new template recreates its pods). */
  apply(manifest: DeploymentManifest): Promise<{ deployment: DeploymentRecord; result: ApplyResult }> {
    return this.serially(() => this.applyNow(manifest));
  }

  private async applyNow(given: DeploymentManifest): Promise<{ deployment: DeploymentRecord; result: ApplyResult }> {
    const name = given.metadata.name;
    const key = podKey(given.metadata.namespace, name);
    const old = this.records.get(key);
    const record = nextRecord(old, given);
    if (record === 'unchanged') return { deployment: old!, result: 'unchanged' };
    await this.store.save(record);
    this.records.set(key, record);
    this.failures.delete(key);
    // Not awaited, as kubectl apply does not wait: a pod stopping takes up to its grace period.
    void this.kickOne(key);
    return { deployment: record, result: old ? 'configured' : 'created' };
  }

  scale(key: string, replicas: number): Promise<DeploymentRecord> {
    return this.change(key, (m) => ({ ...m, spec: { ...m.spec, replicas } }));
  }

  /** `rollout restart`: the template annotated with the time, as kubectl does, so that every pod is made again. */
  restart(key: string, at = new Date().toISOString()): Promise<DeploymentRecord> {
    return this.change(key, (m) => withRestartedAt(m, at));
  }

  /** Its manifest changed by edit, as an apply of the result. */
  private change(key: string, edit: (m: DeploymentManifest) => DeploymentManifest): Promise<DeploymentRecord> {
    return this.serially(async () => {
      const old = this.get(key);
      if (old.deletionTimestamp) throw new MinipodError('CONFLICT', `deployment ${old.name} is being removed`);
      return (await this.applyNow(edit(old.manifest))).deployment;
    });
  }

  /** `rm deployment/NAME`: the intent is saved first, then every pod goes, then the record. */
  async remove(key: string): Promise<void> {
    const d = await this.serially(async () => {
      const now = this.get(key);
      if (now.deletionTimestamp) return now;
      const marked = { ...now, deletionTimestamp: new Date().toISOString() };
      await this.store.save(marked);
      this.records.set(key, marked);
      return marked;
    });
    await this.kickOne(key);
    if (this.records.has(key)) throw new MinipodError('COMMAND_FAILED', `deployment ${d.name}: its pods could not all be removed; it is retried (see \`minipod events\`)`);
  }

  /** A pass of every Deployment now, or once more after its pass under way; resolves when they are done. */
  async kick(): Promise<void> {
    await Promise.all(this.list().map((d) => this.kickOne(deploymentKey(d))));
  }

  /** A pass of one Deployment now, or once more after the one under way; resolves when that pass is done. */
  private kickOne(key: string): Promise<void> {
    const running = this.passes.get(key);
    if (this.stopped) return running?.pass ?? Promise.resolve();
    if (running) {
      running.again = true;
      return running.pass;
    }
    const state = { pass: Promise.resolve(), again: false };
    state.pass = (async () => {
      do {
        state.again = false;
        const d = this.records.get(key); // as it is now: an apply may have replaced it
        if (!d) return;
        await this.reconcile(d).catch((err: Error) => log.error({ deployment: d.name, err: err.message }, 'deployment pass failed'));
      } while (state.again && !this.stopped);
    })().finally(() => this.passes.delete(key));
    this.passes.set(key, state);
    return state.pass;
  }

  private async reconcile(d: DeploymentRecord): Promise<void> {
    const owned = this.podsOf(d);
    if (d.deletionTimestamp) {
      await Promise.all(owned.map((p) => this.removePod(d, p.name)));
      if (this.podsOf(d).length) return;
      await this.store.delete(deploymentKey(d));
      this.records.delete(deploymentKey(d));
      this.events.record(eventSubject(d), 'DeploymentDeleted', `deployment ${d.name} removed with its pods`);
      return;
    }
    const plan = planDeployment(replicasOf(d), d.templateHash, owned.map(ownedPod));
    // Together: each may wait its grace period for an app that ignores SIGTERM.
    await Promise.all(plan.remove.map((name) => this.removePod(d, name)));
    const failed = this.failures.get(deploymentKey(d));
    if (!plan.create || (failed && Date.now() < failed.retryAt)) return;
    // Recreate: a pod of an old template still being torn down (its grace period) comes first; its
    // removal's event starts the next pass.
    if (oldTemplateGoing(d, this.pods.listAll())) return;
    await Promise.all(Array.from({ length: plan.create }, () => this.createPod(d)));
  }

  private async removePod(d: DeploymentRecord, name: string): Promise<void> {
    try {
      await this.pods.remove(podKey(d.manifest.metadata.namespace, name), true);
      this.events.record(eventSubject(d), 'SuccessfulDelete', `deleted pod ${name}`);
    } catch (err) {
      if (err instanceof MinipodError && err.code === 'NOT_FOUND') return; // gone meanwhile
      this.events.record(eventSubject(d), 'FailedDelete', `pod ${name}: ${(err as Error).message}`, { type: 'Warning' });
    }
  }

  private async createPod(d: DeploymentRecord): Promise<void> {
    // Not the name of a pod still being torn down either: its create would wait for the teardown.
    const taken = new Set(this.pods.listAll().filter((p) => p.namespace === d.manifest.metadata.namespace).map((p) => p.name));
    let name = podNameFor(d.name, d.templateHash);
    for (let i = 0; i < 5 && taken.has(name); i++) name = podNameFor(d.name, d.templateHash);
    try {
      await this.pods.create(podFromTemplate(d, name));
      this.failures.delete(deploymentKey(d));
      this.events.record(eventSubject(d), 'SuccessfulCreate', `created pod ${name}`);
    } catch (err) {
      const count = (this.failures.get(deploymentKey(d))?.count ?? 0) + 1;
      const delay = Math.min(FAILED_CREATE_MAX_MS, FAILED_CREATE_BASE_MS * 2 ** (count - 1));
      this.failures.set(deploymentKey(d), { count, retryAt: Date.now() + delay });
      this.events.record(eventSubject(d), 'FailedCreate', `pod ${name}: ${(err as Error).message} (retried in ${delay / 1000}s)`, { type: 'Warning' });
    }
  }
}

/** Events about a Deployment name it as kubectl does: deployment/NAME. */
const eventSubject = (d: DeploymentRecord) => ({ name: `deployment/${d.name}`, namespace: d.manifest.metadata.namespace, uid: d.uid });

/** A Deployment's key, as a pod's (pod/key.ts): its record file and the controller's map. */
export const deploymentKey = (d: DeploymentRecord): string => podKey(d.manifest.metadata.namespace, d.name);
