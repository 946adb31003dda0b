// The OCI runtime: a container with an image runs as an OCI bundle under runc, as containerd and
// CRI-O run theirs. Its root filesystem is an overlay of the image's layers (each unpacked once,
// shared) with a fresh writable layer; it joins the pod's network, UTS and IPC namespaces through
// the pause holder and gets its own mount and PID namespaces (oci-config.ts). `runc run` stays in
// the foreground as the container's parent, so the container's exit code is runc's; the pid we
// record and watch is the container's own (its PID 1), which is inside the pod's network namespace.
// The bundle (STATE/containers/ID: config.json, the overlay's upper and work dirs, the mount point,
// the pod's /etc files) is removed, and the overlay unmounted, when the container has exited.
import { EventEmitter } from 'node:events';
import { closeSync, constants as fs, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nanoid } from 'nanoid';
import { cgroupPath } from '../cgroup/cgroup.js';
import { MinipodError } from '../errors.js';
import { log } from '../log.js';
import { kill, run, spawnProcess, tools, type Proc } from '../os/host.js';
import { onExit } from '../process/exit.js';
import { isSameProcess, startTimeOf } from '../process/identity.js';
import { readNamespace } from '../process/namespace.js';
import { stopProcess } from '../process/stop.js';
import type { PidWatcher } from '../process/watcher.js';
import { waitUntil } from '../util/wait.js';
import { hostsFile, ociConfig } from './oci-config.js';
import { onTerminal } from './tty.js';
import type { ContainerRuntime, ContainerSpec, ExecSpec, StartedContainer } from './types.js';
import type { Watchable } from '../process/exit.js';

/** runc creates a container in well under a second; one that takes this long is stuck. */
const CREATE_TIMEOUT_MS = 15_000;

/** The container as the pod sees it: its PID 1's pid, and the exit runc reports for it. */
export class RuncContainer extends EventEmitter implements Watchable {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  exited = false;

  constructor(readonly id: string, public pid: number | undefined) {
    super();
  }

  /** Called once its runc has exited and the bundle is gone. */
  ended(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
  }
}

export class RuncRuntime implements ContainerRuntime {
  readonly name = 'runc';
  private readonly bundles: string;
  private readonly root: string;

  constructor(private readonly watcher: PidWatcher, stateDir: string) {
    this.bundles = path.join(stateDir, 'containers');
    this.root = path.join(stateDir, 'runc');
  }

  private runc(): string {
    const file = tools().runc;
    if (!file) throw new MinipodError('NOT_FOUND', 'containers with an image need an OCI runtime: install runc (apt-get install runc), then restart the daemon');
    return file;
  }

  async start(spec: ContainerSpec): Promise<StartedContainer> {
    const image = spec.image;
    if (!image) throw new MinipodError('INTERNAL', `container ${spec.name} has no image: it runs under nsenter`);
    const runc = this.runc();
    const id = `${spec.pod}-${spec.name}-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const dir = path.join(this.bundles, id);
    const rootfs = path.join(dir, 'rootfs');
    try {
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      for (const d of ['rootfs', 'upper', 'work']) await mkdir(path.join(dir, d), { recursive: true, mode: 0o700 });
      // Highest layer first, as overlayfs lists lower directories.
      const lower = [...image.layerDirs].reverse().join(':');
      await run([tools().mount, '-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${path.join(dir, 'upper')},workdir=${path.join(dir, 'work')}`, rootfs]);
      const etc = { hosts: path.join(dir, 'hosts'), hostname: path.join(dir, 'hostname'), resolvConf: path.join(dir, 'resolv.conf') };
      await writeFile(etc.hosts, hostsFile(spec.pod, spec.podIP));
      await writeFile(etc.hostname, `${spec.pod}\n`);
      await writeFile(etc.resolvConf, await nodeResolvConf());
      const config = ociConfig({ sandboxPid: spec.sandboxPid, rootfs, argv: spec.argv, env: spec.env, cwd: spec.cwd, user: image.user, etc, cgroupsPath: spec.cgroup && cgroupPath(spec.cgroup) ? `${cgroupPath(spec.cgroup)}/${spec.name}` : null });
      await writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 1));
    } catch (err) {
      await this.cleanup(id);
      throw err;
    }
    const logFd = openSync(spec.logPath, fs.O_WRONLY | fs.O_APPEND | fs.O_CREAT | fs.O_NOFOLLOW, 0o600);
    let proc: Proc;
    try {
      // Foreground: runc is the container's parent, so its exit status is the container's.
      proc = spawnProcess([runc, '--root', this.root, 'run', '--bundle', dir, '--pid-file', path.join(dir, 'pid'), id], { stdio: ['ignore', logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    proc.catch(() => {});
    const container = new RuncContainer(id, undefined);
    proc.once('exit', (code: number | null, signal: NodeJS.Signals | null) => void this.reap(container, code, signal));
    const pid = await waitUntil(async () => Number((await readFile(path.join(dir, 'pid'), 'utf8').catch(() => '')).trim()) || (proc.exitCode !== null || proc.signalCode !== null ? -1 : undefined), { timeoutMs: CREATE_TIMEOUT_MS, everyMs: 2 });
    if (!pid || pid < 0) {
      if (!pid) proc.kill('SIGKILL');
      await new Promise((r) => (container.exited ? r(null) : container.once('exit', r)));
      throw new MinipodError('COMMAND_FAILED', `runc could not start container ${spec.name}${pid ? ` (exit ${container.exitCode ?? container.signalCode})` : ` within ${CREATE_TIMEOUT_MS / 1000}s`}: ${await lastLine(spec.logPath)}`);
    }
    container.pid = pid;
    const settled = (async () => ({ startTime: (await startTimeOf(pid)) ?? null, inSandbox: (await readNamespace(pid)) === spec.netns }))();
    return { proc: container, settled, id: `runc://${id}` };
  }

  /**
   * `runc exec`: the command joins the container's namespaces (mount and PID too) and cgroup, with
   * the process settings of its config.json (the image's and the manifest's env, working dir,
   * user, capabilities), as kubelet's exec does. With a terminal, ptyrelay takes the one runc makes.
   */
  async exec(spec: ExecSpec): Promise<{ proc: Proc }> {
    const id = spec.containerID?.replace(/^runc:\/\//, '');
    if (!id) throw new MinipodError('INTERNAL', `exec in pod ${spec.pod}: the container has no runc id`);
    const runc = [this.runc(), '--root', this.root, 'exec'];
    if (!spec.tty) return { proc: spawnProcess([...runc, id, ...spec.argv], { stdio: ['pipe', 'pipe', 'pipe'] }) };
    // A socket path must fit in 108 bytes: a short private directory, removed with the exec.
    const dir = await mkdtemp(path.join(tmpdir(), 'minipod-tty-'));
    const consoleSocket = { socket: path.join(dir, 'console.sock'), pidFile: path.join(dir, 'pid') };
    const argv = [...runc, '--tty', '--detach', '--console-socket', consoleSocket.socket, '--pid-file', consoleSocket.pidFile, '--env', 'TERM=xterm', id, ...spec.argv];
    const proc = spawnProcess(onTerminal(spec.tty, argv, consoleSocket), { stdio: ['pipe', 'pipe', 'pipe'] });
    onExit(proc, () => void rm(dir, { recursive: true, force: true }));
    return { proc };
  }

  /** runc has exited: make sure its container did too (never two of one), then remove the bundle. */
  private async reap(container: RuncContainer, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    await this.cleanup(container.id).catch((err: Error) => log.warn({ container: container.id, err: err.message }, 'could not remove a container\'s bundle'));
    container.ended(code, signal);
  }

  /** Idempotent: the container's processes, its runc state, the overlay and the bundle. */
  async cleanup(id: string): Promise<void> {
    const dir = path.join(this.bundles, id);
    await run([this.runc(), '--root', this.root, 'delete', '--force', id]).catch(() => {}); // not there: run removed it
    await run([tools().umount, path.join(dir, 'rootfs')]).catch(() => {}); // not mounted
    await rm(dir, { recursive: true, force: true });
  }

  async list(): Promise<string[]> {
    return (await readdir(this.bundles).catch(() => [])).map((id) => `runc://${id}`);
  }

  async remove(containerID: string): Promise<void> {
    await this.cleanup(containerID.replace(/^runc:\/\//, ''));
  }

  async stop(proc: Watchable, graceMs: number): Promise<void> {
    await stopProcess(proc, graceMs);
  }

  signal(pid: number, signal: NodeJS.Signals): boolean {
    return kill(pid, signal);
  }

  adopt(pid: number, startTime: string, containerID?: string | null): Watchable {
    const adopted = this.watcher.adopt(pid, startTime);
    const id = containerID?.replace(/^runc:\/\//, '');
    if (id) adopted.once('exit', () => void this.cleanup(id).catch(() => {}));
    return adopted;
  }

  async inspect(pid: number | null, startTime: string | null | undefined, netns: string): Promise<boolean> {
    return !!pid && (await isSameProcess(pid, startTime)) && (await readNamespace(pid)) === netns;
  }
}

/** The node's nameservers, as kubelet's dnsPolicy Default gives a pod. */
async function nodeResolvConf(): Promise<string> {
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  return text.split('\n').filter((l) => /^(nameserver|search|options)\s/.test(l)).join('\n') + '\n';
}

async function lastLine(file: string): Promise<string> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n');
  return text[text.length - 1] || 'no output';
}
