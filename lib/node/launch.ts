// How a node's own processes (its holder, its daemon) are started: in the node's cgroup from their
// first instruction, and nobody's child once started. `cgexec --detach` has the child born in the
// cgroup (clone3's CLONE_INTO_CGROUP) and prints its pid once it runs: moving a running process in
// instead waits for an RCU grace period, 15-20 ms of every restart here (issue 13). On a machine
// without cgroup2 the process is started directly, our child.
import { fileURLToPath } from 'node:url';
import { MinipodError } from '../errors.js';
import { kill, spawnProcess, tools } from '../os/host.js';
import { isSameProcess, startTimeOf } from '../process/identity.js';
import { waitUntil } from '../util/wait.js';
import type { NodeCgroup } from './node-cgroup.js';

/** bin/minipod.js: what a node's daemon (and its spare) run under Node. */
export const MINIPOD_CLI = fileURLToPath(new URL('../../../bin/minipod.js', import.meta.url));

export interface Launched {
  pid: number;
  /** Resolves once the process has ended (exited, a zombie, or its pid another's): what a launcher waiting for it races against. */
  exited: Promise<void>;
  /** Stop watching for the end (the launcher has its answer): nothing is left polling. */
  forget(): void;
  /** Signal it, if it is still that very process (pid and start time: once it is nobody's child, its pid may be reused). */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** How often a detached process is looked at while a launcher waits on it. */
const EXIT_POLL_MS = 25;

/** Start argv (an absolute program) in cg's node directory, or as our child where there is no cgroup2. stderr: the program's log (its stdout too). */
export async function launch(cg: NodeCgroup | undefined, argv: string[], options: { stderr: number | 'ignore'; env?: Record<string, string> }): Promise<Launched> {
  const env = options.env ? { env: options.env } : {};
  if (!cg) {
    const proc = spawnProcess(argv, { stdio: ['ignore', options.stderr, options.stderr], ...env });
    proc.unref();
    const exited = Promise.resolve(proc).then(() => undefined);
    if (proc.pid === undefined) throw new MinipodError('COMMAND_FAILED', `could not start ${argv[0]}: ${(await proc).message ?? 'no process'}`);
    return { pid: proc.pid, exited, forget: () => {}, kill: async (signal) => void proc.kill(signal) };
  }
  const proc = spawnProcess([tools().cgexec, '--detach', cg.nodeDir, ...argv], { stdio: ['ignore', 'pipe', options.stderr], ...env });
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const done = await proc;
  const pid = Number(out.trim());
  if (done.failed || !Number.isSafeInteger(pid) || pid <= 0) {
    throw new MinipodError('COMMAND_FAILED', `could not start ${argv[0]} in the cgroup ${cg.nodeDir}: cgexec ${done.message ?? `printed ${JSON.stringify(out)}`}`);
  }
  return watchDetached(pid);
}

/** A process that is nobody's child (cgexec --detach started it, or it was a node's spare daemon): its identity taken now. */
export async function watchDetached(pid: number): Promise<Launched> {
  // Its identity, taken at once: it is init's child now, and a pid freed by its end may be reused.
  const startTime = await startTimeOf(pid);
  const same = () => isSameProcess(pid, startTime);
  let watching = true;
  const exited = new Promise<void>((resolve) => {
    void waitUntil(async () => !watching || !(await same()), { timeoutMs: Number.MAX_SAFE_INTEGER, everyMs: EXIT_POLL_MS, unref: true }).then(() => watching && resolve());
  });
  return {
    pid,
    exited,
    forget: () => void (watching = false),
    kill: async (signal) => {
      if (await same()) kill(pid, signal);
    },
  };
}
