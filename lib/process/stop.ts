// Stopping a process group the way kubelet stops a container: SIGTERM, then SIGKILL after the
// grace period. Idempotent: a process that is already gone is success.
import { once } from 'node:events';
import { hasExited, type Watchable } from './exit.js';

export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal); // our processes lead their own group (spawned detached)
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false; // ESRCH: already gone
    }
  }
}

/** Stop a process we watch; resolves once it has exited (a child: and been reaped). */
export async function stopProcess(proc: Watchable, graceMs: number): Promise<'exited' | 'terminated' | 'killed'> {
  if (hasExited(proc)) return 'exited';
  const exited = once(proc, 'exit');
  if (!signalGroup(proc.pid!, 'SIGTERM')) return 'exited';
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
  const first = await Promise.race([exited.then(() => 'exit' as const), graceOver]);
  clearTimeout(timer);
  if (first === 'exit') return 'terminated';
  signalGroup(proc.pid!, 'SIGKILL');
  await exited;
  return 'killed';
}
