// The pause holder: one spawn creates the sandbox's net/uts/ipc namespaces and, once the veth
// peer is in place, configures its own side (see rootfs/pause/pause.c for the protocol).
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { MinipodError } from '../errors.js';
import { spawnProcess, tools, type Proc } from '../os/host.js';
import { inPodNamespaces } from '../process/nsenter.js';


export interface PauseNetwork {
  hostname: string;
  address: string; // 10.88.0.2/16
  gateway: string;
}

export interface Holder {
  pid: number;
  proc: Proc;
  /** Its network namespace and start time, once read (the pool reads them when it starts it). */
  netns?: string;
  startTime?: string;
  /** Tell the holder eth0 is in its namespace; resolves once it is named, addressed and routed. */
  configure(net: PauseNetwork): Promise<void>;
}

export const holderAlive = (h: Holder) => h.proc.exitCode === null && h.proc.signalCode === null;

/** Each answer takes the holder microseconds; one missing this long (a stopped or stuck holder)
 * fails the step, and the holder is killed, so no create or recovery waits forever. */
const ANSWER_TIMEOUT_MS = 5000;
const WHAT: Record<string, string> = { ns: 'its namespaces exist', ready: 'eth0 is configured' };

/**
 * Start a holder in new namespaces; resolves once they exist (it then waits for its config).
 * Unit tests pass a fake holder (argv) and a short deadline.
 */
export async function startPause({ argv = [tools().pause, '-n'], answerTimeoutMs = ANSWER_TIMEOUT_MS }: { argv?: readonly string[]; answerTimeoutMs?: number } = {}): Promise<Holder> {
  const proc = spawnProcess(argv, { stdio: ['pipe', 'pipe', 'ignore'] });
  proc.catch(() => {}); // a failed spawn is reported by next() below
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
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
  try {
    await next('ns');
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  return {
    pid: proc.pid!,
    proc,
    async configure(net) {
      proc.stdin!.end(`${net.hostname} ${net.address} ${net.gateway}\n`);
      await next('ready');
    },
  };
}

/** A holder that joins pid's namespaces instead of making new ones (nsenter execs pause in place). */
export function startHolderIn(pid: number): { proc: Proc; pid: number } {
  const proc = spawnProcess(inPodNamespaces(pid, [tools().pause]), { stdio: ['ignore', 'ignore', 'ignore'] });
  proc.catch(() => {});
  if (!proc.pid) throw new MinipodError('COMMAND_FAILED', `could not start a holder in the namespaces of pid ${pid}`);
  return { proc, pid: proc.pid };
}
