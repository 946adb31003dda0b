// The pause holder: one spawn creates the sandbox's net/uts/ipc namespaces and, once the veth
// peer is in place, configures its own side (see rootfs/pause/pause.c for the protocol).
import { once } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { MinipodError } from '../errors.js';
import { procLink, readProc, spawnProcess, tools, type Proc } from '../os/host.js';
import { inPodNamespaces } from '../process/nsenter.js';


export interface PauseNetwork {
  hostname: string;
  address: string; // 10.88.0.2/16
  gateway: string;
  mac: string;
}

export interface Holder {
  pid: number;
  proc: Proc;
  /** Its network namespace and start time, once read (the pool reads them when it starts it). */
  netns?: string;
  startTime?: string;
  /**
   * Before configure: the holder unmounts every network namespace mounted on `file` (the name of
   * the sandbox it replaces, whose holder died), so a recovery spawns no umount.
   */
  unbind(file: string): Promise<void>;
  /** Tell the holder eth0 is in its namespace; resolves once it has its MAC and is named, addressed and routed. */
  configure(net: PauseNetwork): Promise<void>;
  /** After configure: the holder bind-mounts its own network namespace on `file` (no mount process). */
  bind(file: string): Promise<void>;
  /** No more requests: the holder hands its pipes back and only holds (idempotent). */
  release(): void;
}

export const holderAlive = (h: Holder) => h.proc.exitCode === null && h.proc.signalCode === null;

/** Each answer takes the holder microseconds; one missing this long (a stopped or stuck holder)
 * fails the step, and the holder is killed, so no create or recovery waits forever. */
const ANSWER_TIMEOUT_MS = 5000;
const WHAT: Record<string, string> = { ns: 'its namespaces exist', unbound: 'the old name is unmounted', ready: 'eth0 is configured', bound: 'its network namespace is bind-mounted' };

/**
 * Start a holder in new namespaces; resolves once they exist (it then waits for its config).
 * Unit tests pass a fake holder (argv) and a short deadline.
 */
export async function startPause({ argv, answerTimeoutMs = ANSWER_TIMEOUT_MS, pidNamespace = false, hostNetwork = false }: { argv?: readonly string[]; answerTimeoutMs?: number; pidNamespace?: boolean; hostNetwork?: boolean } = {}): Promise<Holder> {
  // hostNetwork: `-i` unshares IPC only; the holder stays in the node's network and UTS namespaces.
  const mode = hostNetwork ? '-i' : '-n';
  // A pod that shares one PID namespace (shareProcessNamespace): the pause is its PID 1, which
  // reaps the orphans of every container. unshare forks it and stays its parent (our child), and
  // --kill-child ends it should unshare be killed.
  argv ??= pidNamespace ? [tools().unshare, '--pid', '--fork', '--kill-child', '--', tools().pause, mode] : [tools().pause, mode];
  const proc = spawnProcess(argv, { stdio: ['pipe', 'pipe', 'ignore'] });
  proc.catch(() => {}); // a failed spawn is reported by next() below
  const lines = lineReader(createInterface({ input: proc.stdout! }));
  const next = async (expect: string): Promise<void> => {
    const exited = once(proc, 'exit').then(([code, signal]) => ({ done: true as const, value: `exited (${signal ?? code})` }));
    const spawnError = once(proc, 'error').then(([e]) => ({ done: true as const, value: (e as Error).message }));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), answerTimeoutMs)));
    const r = await Promise.race([lines.next(), exited, spawnError, late]).finally(() => clearTimeout(timer));
    if (r === 'late') {
      proc.kill('SIGKILL'); // the rollback's stop then finds it gone
      throw new MinipodError('COMMAND_FAILED', `pause holder ${proc.pid} did not say "${expect}" (${WHAT[expect]}) within ${answerTimeoutMs / 1000}s: it is stopped or stuck, killed it`);
    }
    if (!r.done && r.value === expect) return;
    throw new MinipodError('COMMAND_FAILED', `pause holder${proc.pid ? ` ${proc.pid}` : ''}: ${r.done ? (r.value ?? 'closed its output') : r.value}`);
  };
  let pid = proc.pid!;
  try {
    await next('ns');
    if (pidNamespace) pid = await pauseUnder(pid);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  return {
    pid,
    proc,
    async unbind(file) {
      proc.stdin!.write(`unbind ${file}\n`);
      await next('unbound');
    },
    async configure(net) {
      proc.stdin!.write(`${net.hostname} ${net.address} ${net.gateway} ${net.mac}\n`);
      await next('ready');
    },
    async bind(file) {
      proc.stdin!.write(`bind ${file}\n`);
      await next('bound');
    },
    release() {
      if (!proc.stdin!.writableEnded) proc.stdin!.end();
    },
  };
}

/**
 * The holder's answers one at a time, as readline's async iterator gives them, without it: each
 * iterator holds two 16 KiB queues (events.on) for as long as its pod's holder lives (README,
 * "Benchmarks": the daemon's memory per pod).
 */
export function lineReader(rl: Interface): { next(): Promise<IteratorResult<string, undefined>> } {
  const queued: string[] = [];
  let closed = false;
  let waiting: ((r: IteratorResult<string, undefined>) => void) | undefined;
  const take = (r: IteratorResult<string, undefined>) => {
    const w = waiting;
    waiting = undefined;
    w?.(r);
  };
  rl.on('line', (line) => (waiting ? take({ done: false, value: line }) : queued.push(line)));
  rl.on('close', () => {
    closed = true;
    take({ done: true, value: undefined });
  });
  return {
    next() {
      if (queued.length) return Promise.resolve({ done: false, value: queued.shift()! });
      if (closed) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => (waiting = resolve));
    },
  };
}

/** The pause unshare forked (its only child), once it has said "ns": the pid that holds the namespaces. */
async function pauseUnder(unshare: number): Promise<number> {
  const child = Number(((await readProc(unshare, `task/${unshare}/children`)) ?? '').trim().split(' ')[0]);
  if (!child || (await procLink(child, 'exe')) !== tools().pause) throw new MinipodError('COMMAND_FAILED', `pause holder under unshare ${unshare} not found`);
  return child;
}

/** A holder that joins pid's namespaces instead of making new ones (nsenter execs pause in place). */
export function startHolderIn(pid: number): { proc: Proc; pid: number } {
  const proc = spawnProcess(inPodNamespaces(pid, [tools().pause]), { stdio: ['ignore', 'ignore', 'ignore'] });
  proc.catch(() => {});
  if (!proc.pid) throw new MinipodError('COMMAND_FAILED', `could not start a holder in the namespaces of pid ${pid}`);
  return { proc, pid: proc.pid };
}
