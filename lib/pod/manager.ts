// The pod lifecycle: the only code that orders sandbox, network and app steps. Every operation
// on a pod runs under that pod's lock and moves it through the state machine in state.ts.
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { nanoid } from 'nanoid';
import { MinipodError } from '../errors.js';
import type { IpBatch } from '../exec/ip-batch.js';
import type { Proc } from '../exec/run.js';
import { findExecutable, type Tools } from '../exec/tools.js';
import { podLogger } from '../log.js';
import { allocate, macFor, type Subnet } from '../network/ipam.js';
import { listeningPorts } from '../network/listening.js';
import { DEFAULT_PATH, startApp } from '../process/app.js';
import { stopProcess } from '../process/stop.js';
import { readNamespace } from '../sandbox/netns.js';
import { createSandbox, deleteSandbox } from '../sandbox/sandbox.js';
import { UndoStack } from '../sandbox/undo.js';
import { waitForNamespace } from '../sandbox/wait.js';
import type { PodManifest } from '../spec/pod-spec.js';
import type { LeaseStore } from '../store/leases.js';
import type { PodStore } from '../store/pod-store.js';
import type { EventLog } from '../supervisor/events.js';
import { assertTransition, canRemove } from './state.js';
import type { ContainerStatus, PodRecord } from './types.js';

export interface NodeConfig {
  stateDir: string;
  bridge: string;
  subnet: Subnet;
}

/** A pod as the daemon holds it: the record plus the processes it is watching. */
interface LivePod {
  record: PodRecord;
  holder: Proc | null;
  apps: Map<string, Proc>;
  /** Apps we are stopping on purpose: their exit is expected, not a death. */
  stopping: Set<string>;
  lock: Promise<unknown>;
}

export class PodManager {
  private readonly pods = new Map<string, LivePod>();
  private readonly leased = new Set<string>();

  constructor(
    private readonly node: NodeConfig,
    private readonly tools: Tools,
    private readonly ip: IpBatch,
    private readonly store: PodStore,
    private readonly leases: LeaseStore,
    private readonly events: EventLog,
  ) {}

  async init(): Promise<void> {
    for (const ip of await this.leases.list()) this.leased.add(ip);
    for (const record of await this.store.loadAll()) {
      this.pods.set(record.name, { record, holder: null, apps: new Map(), stopping: new Set(), lock: Promise.resolve() });
      // Not re-adopted yet (see the live-restore issue): clean up what the last daemon left.
      if (record.phase !== 'Stopped') await this.stop(record.name).catch(() => {});
    }
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

  private withLock<T>(live: LivePod, fn: () => Promise<T>): Promise<T> {
    const next = live.lock.then(fn, fn);
    live.lock = next.catch(() => {});
    return next;
  }

  async create(manifest: PodManifest): Promise<PodRecord> {
    const t0 = performance.now();
    const name = manifest.metadata.name;
    if (this.pods.has(name)) throw new MinipodError('ALREADY_EXISTS', `pod ${name} already exists: remove it with \`minipod rm -f ${name}\` or pick another name`);
    const uid = nanoid();
    const logDir = path.join(this.node.stateDir, 'logs', name);
    const record: PodRecord = {
      name,
      uid,
      createdAt: new Date().toISOString(),
      phase: 'Pending',
      message: null,
      ip: '',
      prefix: this.node.subnet.prefix,
      gateway: this.node.subnet.gateway,
      mac: '',
      bridge: this.node.bridge,
      sandbox: null,
      containers: manifest.spec.containers.map((c) => ({
        name: c.name,
        state: 'Waiting',
        ready: false,
        pid: null,
        netns: null,
        restartCount: 0,
        startedAt: null,
        finishedAt: null,
        exitCode: null,
        signal: null,
        reason: null,
        argv: [],
        logPath: path.join(logDir, `${c.name}.log`),
      })),
      manifest,
      timings: null,
    };
    const live: LivePod = { record, holder: null, apps: new Map(), stopping: new Set(), lock: Promise.resolve() };
    // Reserve the name before the first await so a concurrent create of the same name fails.
    this.pods.set(name, live);
    const undo = new UndoStack();
    undo.push('name reservation', async () => void this.pods.delete(name));
    let step = 'resolve commands';
    try {
      await this.resolveCommands(record);

      step = 'allocate IP';
      record.ip = await this.allocateIp(uid);
      record.mac = macFor(record.ip);
      undo.push(`lease ${record.ip}`, () => this.releaseIp(record.ip));

      step = 'persist record';
      undo.push('pod record', () => this.store.delete(name));
      await this.store.save(record);
      undo.push('log directory', () => rm(logDir, { recursive: true, force: true }));
      await mkdir(logDir, { recursive: true, mode: 0o700 });

      const sandbox = await createSandbox(this.ip, { hostname: name, ip: record.ip, prefix: record.prefix, gateway: record.gateway, mac: record.mac, bridge: record.bridge }, undo, (s) => (step = s));
      live.holder = sandbox.proc;
      record.sandbox = { pid: sandbox.pid, netns: sandbox.netns, attempt: 0, hostVeth: sandbox.hostVeth, createdAt: new Date().toISOString() };
      this.watchHolder(live, sandbox.proc);
      const sandboxMs = performance.now() - t0;
      this.events.record(record, 'SandboxCreated', `pause ${sandbox.pid} holds ${sandbox.netns}`);
      this.events.record(record, 'NetworkReady', `eth0 ${record.ip}/${record.prefix} via ${record.gateway}, host veth ${sandbox.hostVeth} on ${record.bridge}`);

      step = 'start containers';
      for (const c of record.containers) {
        await this.startContainer(live, c);
        undo.push(`container ${c.name}`, () => this.stopContainer(live, c.name, 0));
      }
      await Promise.all(record.containers.map((c) => (c.pid ? waitForNamespace(c.pid, sandbox.netns) : true)));
      for (const c of record.containers) c.netns = c.pid ? ((await readNamespace(c.pid)) ?? null) : null;

      step = 'persist record';
      assertTransition(name, record.phase, 'Running');
      record.phase = 'Running';
      record.timings = { sandboxMs: round(sandboxMs), appsMs: round(performance.now() - t0) };
      await this.store.save(record);
      undo.disarm();
      return record;
    } catch (err) {
      const failure = await undo.rollback(err);
      const wrapped = new MinipodError(failure.code, step === 'resolve commands' ? failure.message : `failed to create pod ${name}: ${step}: ${failure.message}`, { cause: failure, details: failure.details });
      wrapped.cleanupErrors.push(...failure.cleanupErrors);
      if (wrapped.cleanupErrors.length) podLogger(record).error({ cleanupErrors: wrapped.cleanupErrors.map((e) => e.message) }, 'rollback incomplete');
      throw wrapped;
    }
  }

  /** Stop every app and tear the sandbox down; the record stays (Stopped) until `rm`. */
  async stop(name: string): Promise<PodRecord> {
    const live = this.live(name);
    return this.withLock(live, () => this.stopLocked(live));
  }

  async remove(name: string, force: boolean): Promise<void> {
    const live = this.live(name);
    await this.withLock(live, async () => {
      if (!canRemove(live.record.phase)) {
        if (!force) throw new MinipodError('CONFLICT', `pod ${name} is ${live.record.phase}: stop it first (\`minipod stop ${name}\`) or use \`minipod rm -f ${name}\``);
        await this.stopLocked(live);
      }
      await rm(path.join(this.node.stateDir, 'logs', name), { recursive: true, force: true });
      await this.store.delete(name);
      this.pods.delete(name);
      this.events.record(live.record, 'Removed', `pod ${name} removed`);
    });
  }

  /** Daemon shutdown: stop every pod (in parallel), leaving no process, veth or lease. */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.pods.keys()].map((name) => this.stop(name)));
  }

  private async stopLocked(live: LivePod): Promise<PodRecord> {
    const r = live.record;
    if (r.phase === 'Stopped') return r;
    assertTransition(r.name, r.phase, 'Terminating');
    r.phase = 'Terminating';
    await this.store.save(r);
    const graceMs = r.manifest.spec.terminationGracePeriodSeconds * 1000;
    this.events.record(r, 'Killing', `stopping ${r.containers.length} container(s), grace period ${graceMs / 1000}s`);
    await Promise.all(r.containers.map((c) => this.stopContainer(live, c.name, graceMs)));
    if (r.sandbox) {
      // A record from an earlier daemon has no child handles: kill its processes only if they
      // still hold the recorded namespace (never a reused pid).
      for (const c of r.containers) if (c.pid && !live.apps.has(c.name)) await killIfHolds(c.pid, r.sandbox.netns);
      const holder = live.holder;
      live.holder = null; // its exit is now expected
      await deleteSandbox(this.ip, { proc: holder, hostVeth: r.sandbox.hostVeth });
      if (!holder) await killIfHolds(r.sandbox.pid, r.sandbox.netns);
      this.events.record(r, 'SandboxDeleted', `sandbox ${r.sandbox.netns} and veth ${r.sandbox.hostVeth} removed`);
    }
    if (r.ip) await this.releaseIp(r.ip);
    r.sandbox = null;
    r.ip = '';
    r.phase = 'Stopped';
    await this.store.save(r);
    return r;
  }

  private async resolveCommands(record: PodRecord): Promise<void> {
    const errors: string[] = [];
    await Promise.all(
      record.manifest.spec.containers.map(async (c, i) => {
        const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
        const cwd = c.workingDir ?? '/';
        const file = await findExecutable(c.command[0]!, env.PATH ?? DEFAULT_PATH, cwd);
        if (!file) errors.push(`spec.containers[${i}].command: executable "${c.command[0]}" not found (PATH=${env.PATH ?? DEFAULT_PATH}, workingDir=${cwd})`);
        else record.containers[i]!.argv = [file, ...c.command.slice(1), ...c.args];
      }),
    );
    if (errors.length) throw new MinipodError('INVALID_ARGUMENT', errors.join('; '), { details: errors });
  }

  private async startContainer(live: LivePod, c: ContainerStatus): Promise<void> {
    const r = live.record;
    const spec = r.manifest.spec.containers.find((s) => s.name === c.name)!;
    const env = { PATH: DEFAULT_PATH, HOSTNAME: r.name, ...Object.fromEntries(spec.env.map((e) => [e.name, e.value])) };
    const fh = await open(c.logPath, 'a', 0o600);
    let proc: Proc;
    try {
      proc = startApp({ nsenter: this.tools.nsenter, sandboxPid: r.sandbox!.pid, argv: c.argv, env, cwd: spec.workingDir ?? '/', logFd: fh.fd });
    } finally {
      await fh.close(); // the child has its own copy of the descriptor
    }
    proc.catch(() => {}); // exits are handled by the 'exit' listener
    if (!proc.pid) throw new MinipodError('COMMAND_FAILED', `could not start container ${c.name}`);
    live.apps.set(c.name, proc);
    Object.assign(c, { state: 'Running', pid: proc.pid, startedAt: new Date().toISOString(), finishedAt: null, exitCode: null, signal: null, reason: null });
    proc.once('exit', (code, signal) => this.onContainerExit(live, c, proc, code, signal));
    this.events.record(r, 'ContainerStarted', `started ${c.argv.join(' ')} (pid ${proc.pid})`, { container: c.name });
  }

  private async stopContainer(live: LivePod, name: string, graceMs: number): Promise<void> {
    const proc = live.apps.get(name);
    if (!proc) return;
    live.stopping.add(name);
    await stopProcess(proc, graceMs);
  }

  private onContainerExit(live: LivePod, c: ContainerStatus, proc: Proc, code: number | null, signal: NodeJS.Signals | null): void {
    if (live.apps.get(c.name) !== proc) return;
    live.apps.delete(c.name);
    const expected = live.stopping.delete(c.name);
    Object.assign(c, {
      state: 'Terminated',
      ready: false,
      pid: null,
      netns: null,
      finishedAt: new Date().toISOString(),
      exitCode: code,
      signal,
      reason: expected ? 'Killed' : code === 0 ? 'Completed' : 'Error',
    });
    if (!expected) {
      this.events.record(live.record, 'ContainerDied', `exited with ${signal ?? `code ${code}`}`, { type: code === 0 ? 'Normal' : 'Warning', container: c.name });
    }
    if (this.pods.get(live.record.name) === live) void this.store.save(live.record).catch(() => {});
  }

  private watchHolder(live: LivePod, proc: Proc): void {
    proc.once('exit', (code, signal) => {
      if (live.holder !== proc) return; // torn down on purpose
      live.holder = null;
      const r = live.record;
      this.events.record(r, 'SandboxDied', `pause ${proc.pid} exited with ${signal ?? `code ${code}`}`, { type: 'Warning' });
      if (r.phase === 'Running') {
        r.phase = 'SandboxLost';
        r.message = `pause holder died (${signal ?? `exit code ${code}`})`;
        void this.store.save(r).catch(() => {});
      }
    });
  }

  private async allocateIp(owner: string): Promise<string> {
    for (;;) {
      const ip = allocate(this.node.subnet, this.leased);
      this.leased.add(ip);
      if (await this.leases.acquire(ip, owner)) return ip;
      // A lease file we did not know of (another daemon's?): leave it taken and try the next.
    }
  }

  private async releaseIp(ip: string): Promise<void> {
    await this.leases.release(ip);
    this.leased.delete(ip);
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** SIGKILL pid only if it still holds the namespace we recorded (never a reused pid). */
async function killIfHolds(pid: number, netns: string): Promise<void> {
  if ((await readNamespace(pid)) !== netns) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
