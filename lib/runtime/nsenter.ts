// The first container runtime: a container is a host process that nsenter places in the pod's
// network, UTS and IPC namespaces (and rootfs/cgexec in the pod's cgroup) before it execs the
// program in place. Its parent is rootfs/shim (-s -p), as an image container's runc is: the app
// leads a session of its own, its pid (the shim's child, which execs cgexec, nsenter, then the
// app, all in place; told on the shim's stdout) is the one recorded and watched, and the shim
// writes how it ended to STATE/nsenter/ID/exit, so a daemon that was down when it ended still
// learns its exit code. The shim is the daemon's child: its exit is the container's, heard at
// once while we run. Nothing is written to disk to start one: a full disk only loses the file.
import { closeSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { openContainerLog } from './container-log.js';
import { MinipodError } from '../errors.js';
import { log } from '../log.js';
import { DEFAULT_PATH } from '../manifest/command.js';
import { hostProcessUser } from '../manifest/security.js';
import { kill, spawnProcess, tools, type Proc } from '../os/host.js';
import { isSameProcess, startTimeOf } from '../process/identity.js';
import { isSameProcessIn, readNamespace } from '../process/namespace.js';
import { inPodNamespaces } from '../process/nsenter.js';
import type { Watchable } from '../process/exit.js';
import type { PidWatcher } from '../process/watcher.js';
import { waitForNamespace } from '../sandbox/wait.js';
import { lastLine } from './bundle.js';
import { CONTAINER_ID, EXIT_FILE, newContainerId, pidFromShim, readExitStatus, ShimmedContainer, stopShimmed, watchShimmed, type ExitStatus } from './shim.js';
import { onTerminal } from './tty.js';
import type { ContainerRuntime, ContainerSpec, ExecSpec, StartedContainer, StartedExec } from './types.js';

/** The shim's child tells its pid before anything else: a shim that has not within this is stuck. */
const PID_TIMEOUT_MS = 10_000;

export const NSENTER_PREFIX = 'nsenter://';

export class NsenterRuntime implements ContainerRuntime {
  readonly name = 'nsenter';
  /** STATE/nsenter/ID: the shim's pid and status files of each container. */
  private readonly dirs: string;
  /** Containers this daemon started or re-adopted and has not cleaned up yet (gc leaves them alone). */
  private readonly active = new Set<string>();

  constructor(private readonly watcher: PidWatcher, stateDir: string) {
    this.dirs = path.join(stateDir, 'nsenter');
  }

  async start(spec: ContainerSpec): Promise<StartedContainer> {
    if (!path.isAbsolute(spec.argv[0] ?? '')) throw new MinipodError('INTERNAL', `container command must be resolved first: ${spec.argv[0]}`);
    const id = newContainerId(spec.pod, spec.name);
    const dir = path.join(this.dirs, id);
    this.active.add(id);
    let proc: Proc;
    try {
      // Without it (a full disk) the app still starts: its exit is then known only to this daemon.
      await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: Error) => log.warn({ container: id, err: err.message }, 'cannot make a container\'s shim directory: its exit code is kept only while this daemon runs'));
      const logFd = openContainerLog(spec.logPath);
      try {
        const argv = inPodNamespaces(spec.sandboxPid, spec.argv, spec.security && hostProcessUser(spec.security));
        const shim = [tools().shim, '-s', '-p', '-l', path.join(dir, EXIT_FILE)];
        // stdout: the pipe the app's pid comes through; stderr: the log, where the shim writes the
        // app's output as CRI records (-l).
        proc = spawnProcess([...shim, ...spec.inPodCgroup(argv)], { stdio: ['ignore', 'pipe', logFd], env: spec.env, cwd: spec.cwd });
      } finally {
        closeSync(logFd); // the shim and the app have their own copies of the descriptor
      }
    } catch (err) {
      await this.cleanup(id);
      throw err;
    }
    proc.catch(() => {}); // its exit is heard through the promise below
    if (!proc.pid) {
      // Not spawned at all (its working directory is gone): the child's promise says why.
      const r = await proc;
      await this.cleanup(id);
      throw new MinipodError('COMMAND_FAILED', `could not start container ${spec.name}: ${r.message ?? 'spawn failed'}`);
    }
    const pid = await pidFromShim(proc, PID_TIMEOUT_MS);
    if (!pid || pid < 0) {
      if (!pid) kill(-proc.pid!, 'SIGKILL'); // the shim leads its group, and so does its child until its setsid
      const r = await proc;
      await this.cleanup(id);
      const why = pid ? `its shim exited ${r.signal ?? `with code ${r.exitCode}`}: ${await lastLine(spec.logPath)}` : `its shim gave no pid within ${PID_TIMEOUT_MS / 1000}s`;
      throw new MinipodError('COMMAND_FAILED', `could not start container ${spec.name}: ${why}`);
    }
    const container = new ShimmedContainer(id, pid);
    void Promise.resolve(proc)
      .then((r) => this.shimExited(container, r.exitCode ?? null, (r.signal as NodeJS.Signals | undefined) ?? null))
      .catch((err: Error) => log.error({ container: id, err: err.message }, 'could not handle the end of a container\'s shim')); // the watcher closed: the daemon is going
    // nsenter joins the namespaces a moment after the spawn: only then is the app inside the
    // sandbox. It exec'd the app: the start time read then is the app's. It joins IPC, UTS, then
    // the network (util-linux's order): the pod's network seen, it is in. A hostNetwork pod's
    // network is the node's, where nsenter starts: there the pod's own is the IPC namespace.
    const settled = (async () => {
      const ipc = spec.hostNetwork ? await readNamespace(spec.sandboxPid, 'ipc') : undefined;
      const inSandbox = !spec.hostNetwork ? await waitForNamespace(pid, spec.netns) : !!ipc && (await waitForNamespace(pid, ipc, 'ipc')); // no ipc: the holder is gone
      const startTime = (await startTimeOf(pid)) ?? null;
      container.startTime ??= startTime ?? undefined;
      return { inSandbox, startTime };
    })();
    return { proc: container, settled, id: `${NSENTER_PREFIX}${id}` };
  }

  /**
   * The shim has exited: normally right after the app, with its status written. A shim that
   * exits has waited for its app, so its own code is the app's (128+N for signal N) should the
   * file be missing (a full disk). A shim killed by a signal may have died first (by hand): the
   * app runs on, an orphan, and is watched through its pid from now on, said aloud, its exit
   * unknown — never killed for its shim's sake.
   */
  private async shimExited(container: ShimmedContainer, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const status = (await this.exitStatus(container.id)) ?? (code !== null ? { code, signal: null } : undefined);
    const startTime = container.startTime ?? (await startTimeOf(container.pid!));
    if (!status && startTime && (await isSameProcess(container.pid!, startTime))) {
      log.error({ container: container.id, pid: container.pid, shimExit: signal ?? code }, 'a container\'s shim died before its app: the app runs on, watched through its pid; its exit code will be unknown');
      watchShimmed(this.watcher, container, startTime, () => this.exitStatus(container.id), (s) => this.reap(container, s), 0);
      return;
    }
    await this.reap(container, status);
  }

  private async reap(container: ShimmedContainer, status: ExitStatus | undefined): Promise<void> {
    await this.cleanup(container.id).catch((err: Error) => log.warn({ container: container.id, err: err.message }, 'could not remove a container\'s shim files'));
    container.ended(status?.code ?? null, status?.signal ?? null);
  }

  /** Idempotent: the container's shim files. */
  private async cleanup(id: string): Promise<void> {
    if (!CONTAINER_ID.test(id)) throw new MinipodError('INTERNAL', `not a container id: ${JSON.stringify(id)}`); // never a path outside nsenter/
    await rm(path.join(this.dirs, id), { recursive: true, force: true });
    this.active.delete(id);
  }

  /** In the pod's namespaces and cgroup, on the node's filesystem: a container without an image has nothing of its own. */
  async exec(spec: ExecSpec): Promise<StartedExec> {
    const argv = spec.inPodCgroup(inPodNamespaces(spec.sandboxPid, spec.argv, spec.user));
    const proc = spawnProcess(spec.tty ? onTerminal(spec.tty, argv) : argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { TERM: 'xterm', ...(spec.env ?? { PATH: DEFAULT_PATH, HOSTNAME: spec.pod }) }, // the container's own, as its app has
      cwd: '/',
    });
    return { proc };
  }

  async stop(proc: Watchable, graceMs: number): Promise<void> {
    await stopShimmed(proc, graceMs);
  }

  signal(pid: number, signal: NodeJS.Signals): boolean {
    return kill(pid, signal);
  }

  /** Through its pid; its exit is then its shim's status. One recorded without a containerID (an older daemon's) has no shim: its exit is unknown. */
  adopt(pid: number, startTime: string, containerID?: string | null): Watchable {
    const id = containerID?.slice(NSENTER_PREFIX.length);
    if (!containerID?.startsWith(NSENTER_PREFIX) || !id || !CONTAINER_ID.test(id)) return this.watcher.adopt(pid, startTime);
    this.active.add(id);
    const container = new ShimmedContainer(id, pid);
    return watchShimmed(this.watcher, container, startTime, () => this.exitStatus(id), (s) => this.reap(container, s));
  }

  /** Shim files of containers this daemon is not running or starting (gc). */
  async list(): Promise<string[]> {
    return (await readdir(this.dirs).catch(() => [] as string[])).filter((id) => CONTAINER_ID.test(id) && !this.active.has(id)).map((id) => `${NSENTER_PREFIX}${id}`);
  }

  /** `exec -t` gives a host process a pty of its own (ptyrelay): nothing on disk. */
  async execLeftovers(): Promise<string[]> {
    return [];
  }

  async remove(containerID: string): Promise<void> {
    await this.cleanup(containerID.slice(NSENTER_PREFIX.length));
  }

  /** How the container ended, as its shim recorded it; undefined while it runs (or if nothing was kept). */
  async exitStatus(containerID: string): Promise<ExitStatus | undefined> {
    const id = containerID.startsWith(NSENTER_PREFIX) ? containerID.slice(NSENTER_PREFIX.length) : containerID;
    return CONTAINER_ID.test(id) ? readExitStatus(path.join(this.dirs, id, EXIT_FILE)) : undefined;
  }

  async inspect(pid: number | null, startTime: string | null | undefined, netns: string): Promise<boolean> {
    return isSameProcessIn(pid, startTime, netns);
  }
}
