// A process's identity is its pid *and* its start time (clock ticks after boot, field 22 of
// /proc/PID/stat): a pid can be reused, the pair cannot. Used before minipod signals a process
// it did not spawn in this daemon's lifetime.
import { readFile } from 'node:fs/promises';

export async function startTimeOf(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // A zombie has exited (its parent has not reaped it yet): there is nothing left to identify.
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
}

/** The session a process belongs to (field 6): an app leads its own (spawned detached), and the
 * processes it starts stay in it unless they call setsid themselves. */
export async function sessionOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]) : undefined;
}

/** True only if pid is alive and is the very process that had startTime. */
export async function isSameProcess(pid: number, startTime: string | null | undefined): Promise<boolean> {
  return !!startTime && (await startTimeOf(pid)) === startTime;
}
