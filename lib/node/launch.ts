// How a node's own processes (its holder, its daemon) are started: in the node's cgroup from their
// first instruction, and nobody's child once started. `cgexec --detach` has the child born in the
// cgroup (clone3's CLONE_INTO_CGROUP) and prints its pid once it runs: moving a running process in
// instead waits for an RCU grace period, 15-20 ms of every restart here (issue 13). On a machine
// without cgroup2 the process is started directly, our child.
import { MinipodError } from '../errors.js';
import { spawnProcess, tools } from '../os/host.js';
import { waitUntil } from '../util/wait.js';
import { alive } from './daemon-process.js';
import type { NodeCgroup } from './node-cgroup.js';

export interface Launched {
  pid: number;
  /** Resolves once the process has exited (or is a zombie): what a launcher waiting for it races against. */
  exited: Promise<void>;
  /** Stop watching for the exit (the launcher has its answer): nothing is left polling. */
  forget(): void;
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
    return { pid: proc.pid, exited, forget: () => {} };
  }
  const proc = spawnProcess([tools().cgexec, '--detach', cg.nodeDir, ...argv], { stdio: ['ignore', 'pipe', options.stderr], ...env });
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const done = await proc;
  const pid = Number(out.trim());
  if (done.failed || !Number.isSafeInteger(pid) || pid <= 0) {
    throw new MinipodError('COMMAND_FAILED', `could not start ${argv[0]} in the cgroup ${cg.nodeDir}: cgexec ${done.message ?? `printed ${JSON.stringify(out)}`}`);
  }
  let watching = true;
  const exited = new Promise<void>((resolve) => {
    void waitUntil(async () => !watching || !(await alive(pid)), { timeoutMs: Number.MAX_SAFE_INTEGER, everyMs: EXIT_POLL_MS, unref: true }).then(() => watching && resolve());
  });
  return { pid, exited, forget: () => void (watching = false) };
}
