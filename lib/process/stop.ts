// Stopping a process group the way kubelet stops a container: SIGTERM (and SIGCONT), then
// SIGKILL after the grace period. Idempotent: a process that is already gone is success.
// Bounded: an exit not heard of after SIGKILL (an adopted process whose pidwatch is stopped, a
// process stuck in the kernel) is looked up in /proc instead of waited for.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { MinipodError } from '../errors.js';
import { kill } from '../os/host.js';
import { AdoptedProcess } from './adopted.js';
import { hasExited, type Watchable } from './exit.js';
import { startTimeOfSync, statFields, statFieldsSync } from './identity.js';

/** A SIGKILLed process is gone within milliseconds unless the kernel holds it (state D). */
export const KILL_WAIT_MS = 5000;

export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  // Our processes lead their own group (spawned detached); an adopted one may not. False: gone.
  return kill(-pid, signal) || kill(pid, signal);
}

/** Resolves 'exit' when proc reports its exit, 'timeout' after ms. */
async function exitWithin(exited: Promise<unknown>, ms: number): Promise<'exit' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  const first = await Promise.race([exited.then(() => 'exit' as const), over]);
  clearTimeout(timer);
  return first;
}

/**
 * Whether a process we SIGKILLed is gone, from its /proc/PID/stat fields (undefined: no such
 * pid). A zombie has exited; another start time means the pid is another process's now. A child
 * of ours keeps its pid until we reap it, so it needs no start time.
 */
export function killedProcessState(fields: string[] | undefined, startTime?: string): 'gone' | string {
  if (!fields || fields[0] === 'Z' || fields[0] === 'X') return 'gone';
  if (startTime !== undefined && fields[19] !== startTime) return 'gone';
  return fields[0]!;
}

/** killedProcessState from a synchronous read (polled every few ms). */
const killedStateSync = (pid: number, startTime: string | undefined) => killedProcessState(statFieldsSync(pid), startTime);

/**
 * Wait until every pid SIGKILLed a moment ago is gone (a zombie has exited; a pid taken by another
 * process since is gone too: each is known by its start time, read at once), at most killWaitMs;
 * returns those still there then, with their state ("1234 (state D)"). For what was killed without
 * being watched: a cgroup's processes, killed with one write that returns before they die. Those
 * seen gone are not read again; the reads thin out (every 2 ms, then up to 50) for one stuck in the kernel.
 */
export async function killedGone(pids: number[], killWaitMs = KILL_WAIT_MS): Promise<string[]> {
  let left = pids.map((pid) => ({ pid, startTime: startTimeOfSync(pid) })).filter((p) => p.startTime !== undefined);
  const deadline = Date.now() + killWaitMs;
  for (let every = 2; left.length; every = Math.min(every * 2, 50)) {
    left = left.filter((p) => killedStateSync(p.pid, p.startTime) !== 'gone');
    if (!left.length || Date.now() > deadline) break;
    await sleep(every);
  }
  return left.map((p) => `${p.pid} (state ${killedStateSync(p.pid, p.startTime)})`);
}

/** Stop a process we watch; resolves once it has exited (a child: and been reaped). */
export async function stopProcess(proc: Watchable, graceMs: number, killWaitMs = KILL_WAIT_MS): Promise<'exited' | 'terminated' | 'killed'> {
  if (hasExited(proc)) return 'exited';
  const exited = once(proc, 'exit');
  exited.catch(() => {}); // never awaited if we give up on it below
  if (!signalGroup(proc.pid!, 'SIGTERM')) {
    if (proc instanceof AdoptedProcess) proc.markExited(null, null); // no such pid: its exit was not heard of yet
    return 'exited';
  }
  signalGroup(proc.pid!, 'SIGCONT'); // as systemd does: a stopped (SIGSTOP) process can act on SIGTERM only once continued
  if ((await exitWithin(exited, graceMs)) === 'exit') return 'terminated';
  signalGroup(proc.pid!, 'SIGKILL');
  if ((await exitWithin(exited, killWaitMs)) === 'exit' || hasExited(proc)) return 'killed';
  // A process we did not spawn carries its start time (an adopted one, a runc container's PID 1).
  const startTime = proc instanceof AdoptedProcess ? proc.startTime : (proc as { startTime?: string }).startTime;
  const state = killedProcessState(await statFields(proc.pid!), startTime);
  if (state !== 'gone') {
    throw new MinipodError('COMMAND_FAILED', `pid ${proc.pid} is still there ${killWaitMs / 1000}s after SIGKILL (state ${state}${state === 'D' ? ': stuck in the kernel' : ''}); not waiting for it any longer`);
  }
  // Gone, but its exit was not heard of (its pidwatch is stopped or being replaced): say so now.
  if (proc instanceof AdoptedProcess) proc.markExited(null, null);
  return 'killed';
}
