// The OCI runtime: a container with an image runs as an OCI bundle under runc or crun (the
// daemon's --oci-runtime; oci-runtimes.ts says how the two differ), as containerd and CRI-O run theirs. Its root filesystem is an overlay of the image's layers (each unpacked once,
// shared) with a fresh writable layer; it joins the pod's network, UTS and IPC namespaces through
// the pause holder and gets its own mount and PID namespaces (oci-config.ts). The shim (rootfs/shim)
// is the container's parent — through `runc run` in the foreground, or itself once `crun run
// --detach` has exited — and keeps its exit status; the pid we record and watch is the
// container's own (its PID 1), which is inside the pod's network namespace. Each runtime keeps its
// state under STATE/NAME (`crun --root STATE/crun list`), and its containers are `NAME://ID`.
// The bundle (bundle.ts) is removed, and the overlay unmounted, when the container has exited;
// the runtime is started through the shim in oci-launch.ts.
//
// OOM: a container the kernel's OOM killer ended exits 137 like any SIGKILLed one; only its memory
// cgroup knows the difference. On a hybrid v1 machine that count (memory.oom_control `oom_kill`)
// lives only in the victim's own cgroup — v1 does not pass memory events up to the pod's cgroup —
// and a plain `runc run` would rmdir that cgroup the moment its init exits. So the runtime keeps
// the stopped container (runc `run --keep`, crun `run --detach`) with its cgroups until `reap` has
// read the counter, then `delete` removes them. Unlike `runc events` (one more process per
// container, which must be listening before the kill) or the kernel log (rate-limited, node-wide), nothing can be missed: the counter is read
// after the exit and before anything removes it, daemon restart included (adopt).
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { readTextIfAny } from '../util/read-if-any.js';
import { asMinipodError, MinipodError } from '../errors.js';
import { log } from '../log.js';
import { kill, readProc, run, tools, type Proc } from '../os/host.js';
import { startTimeOf } from '../process/identity.js';
import { isSameProcessIn, readNamespace } from '../process/namespace.js';
import type { PidWatcher } from '../process/watcher.js';
import { makeBundle, OciContainer, oomKilledIn, removeBundle, RUNTIME_FILE } from './bundle.js';
import { CONTAINER_ID, EXIT_FILE, newContainerId, readExitStatus, stopShimmed, watchShimmed, type ExitStatus } from './shim.js';
import { containerPid, spawnShim, type Launch } from './oci-launch.js';
import { DEFAULT_OCI_RUNTIME, PACKAGE, type OciRuntimeName } from './oci-runtimes.js';
import { DEFAULT_PIDS_LIMIT } from '../cgroup/pod-pids.js';
import { boundingSet } from './oci-security.js';
import type { Watchable } from '../process/exit.js';
import { ConsoleDirs, ociExec } from './tty.js';
import type { ContainerRuntime, ContainerSpec, ExecSpec, StartedContainer, StartedExec } from './types.js';

export interface OciRuntimeOptions {
  pidsLimit?: number;
  /** Containers this daemon started or re-adopted and has not cleaned up yet, whichever runtime
   * runs them: shared, so that neither runtime's gc lists a bundle the other is still making. */
  active?: Set<string>;
  /** Run once before the runtime's first command (crun-hybrid.ts); its failure fails each start. */
  prepare?: () => Promise<void>;
  /** STATE/tty, shared by both runtimes: neither's gc lists a console the other's exec uses. */
  consoles?: ConsoleDirs;
}

export class OciRuntime implements ContainerRuntime {
  private readonly bundles: string;
  private readonly root: string;
  private readonly pidsLimit: number;
  private readonly active: Set<string>;
  /** STATE/tty: the console sockets of `exec -t`. */
  readonly consoles: ConsoleDirs;
  private prepared?: Promise<void>;
  private held?: Promise<string[] | undefined>;

  constructor(readonly name: OciRuntimeName, private readonly watcher: PidWatcher, stateDir: string, private readonly opts: OciRuntimeOptions = {}) {
    this.bundles = path.join(stateDir, 'containers');
    this.root = path.join(stateDir, name);
    this.pidsLimit = opts.pidsLimit ?? DEFAULT_PIDS_LIMIT;
    this.active = opts.active ?? new Set();
    this.consoles = opts.consoles ?? new ConsoleDirs(path.join(stateDir, 'tty'));
  }

  /** The runtime's binary, made usable here; an error with the package to install if there is none. */
  private async binary(): Promise<string> {
    const file = tools()[this.name];
    if (!file) throw new MinipodError('NOT_FOUND', `containers with an image need an OCI runtime: install ${this.name} (apt-get install ${PACKAGE[this.name]}), then restart the daemon`);
    await (this.prepared ??= this.opts.prepare?.() ?? Promise.resolve());
    return file;
  }

  /** The daemon's bounding set, read once (a container can be given no capability outside it); undefined: all. */
  private async heldCapabilities(): Promise<string[] | undefined> {
    return (this.held ??= readProc('self', 'status').then(boundingSet, () => undefined));
  }

  /** The bundle id of one of this runtime's containerIDs (`NAME://ID`); undefined for any other. */
  private idOf(containerID: string | null | undefined): string | undefined {
    const prefix = `${this.name}://`;
    const id = containerID?.startsWith(prefix) ? containerID.slice(prefix.length) : undefined;
    return id && CONTAINER_ID.test(id) ? id : undefined;
  }

  async start(spec: ContainerSpec): Promise<StartedContainer> {
    const image = spec.image;
    if (!image) throw new MinipodError('INTERNAL', `container ${spec.name} has no image: it runs under nsenter`);
    const binary = await this.binary();
    const id = newContainerId(spec.pod, spec.name);
    const dir = path.join(this.bundles, id);
    const launch: Launch = { runtime: this.name, binary, root: this.root, dir, id, name: spec.name, logPath: spec.logPath };
    this.active.add(id); // gc leaves a container being started alone
    let proc: Proc;
    try {
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      await makeBundle(dir, spec, image, { runtime: this.name, pidsLimit: this.pidsLimit, heldCapabilities: () => this.heldCapabilities() });
      proc = spawnShim(launch);
      if (!proc.pid) throw new MinipodError('COMMAND_FAILED', `could not start the shim for container ${spec.name}: ${((await proc).message ?? 'spawn failed')}`);
    } catch (err) {
      const failure = asMinipodError(err);
      await this.cleanup(id).catch((e: Error) => failure.cleanupErrors.push(e));
      throw failure;
    }
    const container = new OciContainer(this.name, id, undefined);
    // A child's promise settles on an exit and on a spawn error alike (an 'exit' event would not come for the latter: os/child.ts).
    void proc.then((r) => this.reap(container, r.exitCode ?? null, (r.signal as NodeJS.Signals | undefined) ?? null));
    const pid = await containerPid(proc, container, launch);
    container.pid = pid;
    const settled = (async () => {
      const startTime = (await startTimeOf(pid)) ?? null;
      container.startTime = startTime ?? undefined;
      return { startTime, inSandbox: (await readNamespace(pid)) === spec.netns };
    })();
    return { proc: container, settled, id: `${this.name}://${id}` };
  }

  /**
   * `runc exec` (`crun exec`): the command joins the container's namespaces (mount and PID too)
   * and cgroup, with the process settings of its config.json (the image's and the manifest's env,
   * working dir, user, capabilities), as kubelet's exec does. With a terminal, ptyrelay takes the
   * one the runtime makes.
   */
  async exec(spec: ExecSpec): Promise<StartedExec> {
    const id = this.idOf(spec.containerID);
    if (!id) throw new MinipodError('INTERNAL', `exec in pod ${spec.pod}: the container has no ${this.name} id`);
    // Through `cgexec -`: umask 022 for the command, which inherits the runtime's (the daemon's is 077).
    return ociExec([tools().cgexec, '-', await this.binary(), '--root', this.root, 'exec'], id, path.join(this.bundles, id, 'config.json'), spec, this.consoles);
  }

  /** The container has exited: read the OOM kills its cgroup saw (kept by --keep), then remove container, cgroups and bundle. */
  private async reap(container: OciContainer, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    container.oomKilled = await oomKilledIn(path.join(this.bundles, container.id)).catch(() => false);
    await this.cleanup(container.id).catch((err: Error) => log.warn({ container: container.id, err: err.message }, 'could not remove a container\'s bundle'));
    container.ended(code, signal);
  }

  /** Idempotent: the container's processes, its runtime state, the overlay and the bundle. */
  async cleanup(id: string): Promise<void> {
    if (!CONTAINER_ID.test(id)) throw new MinipodError('INTERNAL', `not a container id: ${JSON.stringify(id)}`); // never a path outside containers/
    const dir = path.join(this.bundles, id);
    const binary = await this.binary().catch(() => undefined);
    if (binary) await run([binary, '--root', this.root, 'delete', '--force', id]).catch(() => {}); // not there: never started, or deleted
    await removeBundle(dir);
    this.active.delete(id);
  }

  /** This runtime's bundles and state that this daemon is not running or starting (gc). */
  async list(): Promise<string[]> {
    const bundles = await readdir(this.bundles).catch(() => [] as string[]);
    const ours = await Promise.all(bundles.map(async (id) => ((await this.bundleRuntime(id)) === this.name ? [id] : [])));
    const ids = new Set([...ours.flat(), ...(await readdir(this.root).catch(() => []))]);
    return [...ids].filter((id) => CONTAINER_ID.test(id) && !this.active.has(id)).map((id) => `${this.name}://${id}`);
  }

  /** Which runtime a bundle is for (no file: a bundle made before crun came, or cut short right after its mkdir: runc's, whose cleanup removes any). */
  private async bundleRuntime(id: string): Promise<string> {
    return ((await readTextIfAny(path.join(this.bundles, id, RUNTIME_FILE))) ?? DEFAULT_OCI_RUNTIME).trim();
  }

  /** Console directories no exec of this daemon uses (gc). */
  async execLeftovers(): Promise<string[]> {
    return this.consoles.leftovers();
  }

  async remove(containerID: string): Promise<void> {
    const id = this.idOf(containerID);
    if (!id) throw new MinipodError('INTERNAL', `not a ${this.name} container: ${JSON.stringify(containerID)}`);
    await this.cleanup(id);
  }

  async stop(proc: Watchable, graceMs: number): Promise<void> {
    await stopShimmed(proc, graceMs);
  }

  signal(pid: number, signal: NodeJS.Signals): boolean {
    return kill(pid, signal);
  }

  /**
   * A container a daemon before us started: its PID 1 is watched (pidwatch); once it is gone, its
   * exit status is what the shim wrote (the container's), then the bundle goes. Without a containerID (an older record) the exit is reported as unknown.
   */
  adopt(pid: number, startTime: string, containerID?: string | null): Watchable {
    const id = this.idOf(containerID);
    if (!id) return this.watcher.adopt(pid, startTime);
    this.active.add(id);
    // Its shim is no longer our child but still waits for it: its exit status is the shim's file.
    const container = new OciContainer(this.name, id, pid);
    return watchShimmed(this.watcher, container, startTime, () => this.exitStatus(containerID!), (s) => this.reap(container, s?.code ?? null, s?.signal ?? null));
  }

  /** How the container ended, as the shim recorded it; undefined while it runs (or if nothing was kept). */
  async exitStatus(containerID: string): Promise<ExitStatus | undefined> {
    const id = this.idOf(containerID);
    return id ? readExitStatus(path.join(this.bundles, id, EXIT_FILE)) : undefined;
  }

  async inspect(pid: number | null, startTime: string | null | undefined, netns: string): Promise<boolean> {
    return isSameProcessIn(pid, startTime, netns);
  }
}

export { OciContainer };
