// The first container runtime: a container is a host process that nsenter places in the pod's
// network, UTS and IPC namespaces (and rootfs/cgexec in the pod's cgroup) before it execs the
// program in place, so the pid spawned is the program's pid and its exit reaches us as a child's.
import { closeSync } from 'node:fs';
import { openContainerLog } from './container-log.js';
import path from 'node:path';
import { MinipodError } from '../errors.js';
import { DEFAULT_PATH } from '../manifest/command.js';
import { kill, spawnProcess, type Proc } from '../os/host.js';
import { startTimeOf } from '../process/identity.js';
import { isSameProcessIn } from '../process/namespace.js';
import { inPodNamespaces } from '../process/nsenter.js';
import { stopProcess } from '../process/stop.js';
import type { Watchable } from '../process/exit.js';
import type { PidWatcher } from '../process/watcher.js';
import { waitForNamespace } from '../sandbox/wait.js';
import { onTerminal } from './tty.js';
import type { ContainerRuntime, ContainerSpec, ExecSpec, StartedContainer } from './types.js';

export class NsenterRuntime implements ContainerRuntime {
  readonly name = 'nsenter';

  constructor(private readonly watcher: PidWatcher) {}

  async start(spec: ContainerSpec): Promise<StartedContainer> {
    if (!path.isAbsolute(spec.argv[0] ?? '')) throw new MinipodError('INTERNAL', `container command must be resolved first: ${spec.argv[0]}`);
    const log = openContainerLog(spec.logPath);
    try {
      const argv = inPodNamespaces(spec.sandboxPid, spec.argv);
      const proc = spawnProcess(spec.inPodCgroup(argv), { stdio: ['ignore', log, log], env: spec.env, cwd: spec.cwd });
      proc.catch(() => {}); // its exit is heard through the 'exit' event
      if (!proc.pid) throw new MinipodError('COMMAND_FAILED', `could not start container ${spec.name}`);
      // nsenter joins the namespaces a moment after the spawn: only then is the app inside the
      // sandbox. It exec'd the app: the start time read then is the app's.
      const settled = (async () => ({ inSandbox: await waitForNamespace(proc.pid!, spec.netns), startTime: (await startTimeOf(proc.pid!)) ?? null }))();
      return { proc, settled };
    } finally {
      closeSync(log); // the child has its own copy of the descriptor
    }
  }

  /** In the pod's namespaces and cgroup, on the node's filesystem: a container without an image has nothing of its own. */
  async exec(spec: ExecSpec): Promise<{ proc: Proc }> {
    const argv = spec.inPodCgroup(inPodNamespaces(spec.sandboxPid, spec.argv));
    const proc = spawnProcess(spec.tty ? onTerminal(spec.tty, argv) : argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: DEFAULT_PATH, HOSTNAME: spec.pod, TERM: 'xterm' },
      cwd: '/',
    });
    return { proc };
  }

  async stop(proc: Watchable, graceMs: number): Promise<void> {
    await stopProcess(proc, graceMs);
  }

  signal(pid: number, signal: NodeJS.Signals): boolean {
    return kill(pid, signal);
  }

  adopt(pid: number, startTime: string): Watchable {
    return this.watcher.adopt(pid, startTime);
  }

  /** A host process leaves nothing behind but itself (and its cgroup, the pod's). */
  async list(): Promise<string[]> {
    return [];
  }

  async remove(): Promise<void> {}

  /** A host process's exit is known only to its parent, the daemon that spawned it. */
  async exitStatus(): Promise<undefined> {
    return undefined;
  }

  async inspect(pid: number | null, startTime: string | null | undefined, netns: string): Promise<boolean> {
    return isSameProcessIn(pid, startTime, netns);
  }
}
