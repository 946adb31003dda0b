// A process's identity is its pid *and* its start time (clock ticks after boot, field 22 of
// /proc/PID/stat): a pid can be reused, the pair cannot. Used before minipod signals a process
// it did not spawn in this daemon's lifetime.
import { readProc, readProcSync } from '../os/host.js';

/** /proc/PID/stat's text split into its fields from field 3 (the state) on, so field n is at n - 3. */
function fieldsOf(stat: string | undefined): string[] | undefined {
  // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ') : undefined;
}

/** The fields of /proc/PID/stat from field 3 (the state) on, so field n is at n - 3; undefined if pid is gone. */
export async function statFields(pid: number): Promise<string[] | undefined> {
  return fieldsOf(await readProc(pid, 'stat'));
}

/**
 * statFields, synchronous: one small /proc read where a round trip through libuv's thread pool costs
 * a millisecond or more (a poll every few ms, the spare holder check, every pod at once).
 */
export function statFieldsSync(pid: number): string[] | undefined {
  return fieldsOf(readProcSync(pid, 'stat'));
}

/** The start time in the fields; undefined for a zombie, which has exited (its parent has not reaped it yet): nothing left to identify. */
const startTimeIn = (fields: string[] | undefined) => (!fields || fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19]);

export async function startTimeOf(pid: number): Promise<string | undefined> {
  return startTimeIn(await statFields(pid));
}

/** startTimeOf, synchronous: for reads of every pod at once (GET /pods), see readNamespaceSync. */
export function startTimeOfSync(pid: number): string | undefined {
  return startTimeIn(statFieldsSync(pid));
}

/** The parent's pid (field 4), if pid exists. */
export async function parentOf(pid: number): Promise<number | undefined> {
  const fields = await statFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

/** Parent (field 4) and session (field 6) of a process, if it exists. */
async function lineage(pid: number): Promise<{ ppid: number; session: number } | undefined> {
  const fields = await statFields(pid);
  return fields ? { ppid: Number(fields[1]), session: Number(fields[3]) } : undefined;
}

/**
 * True if pid is one of `roots`, descends from one, or is in the session one leads. An app
 * leads its own session (spawned detached); its children stay in it, or, if they start their own
 * (setsid: dumb-init, sshd), are still its descendants. One that double-forked away is neither.
 */
export async function belongsTo(pid: number, roots: ReadonlySet<number>): Promise<boolean> {
  const first = await lineage(pid);
  if (!first) return false;
  if (roots.has(first.session)) return true;
  for (let p = pid, info: typeof first | undefined = first, depth = 0; info && p > 1 && depth < 64; depth++) {
    if (roots.has(p)) return true;
    p = info.ppid;
    info = await lineage(p);
  }
  return false;
}

/** A process's command line, its arguments joined by spaces ('' if it is gone). */
export async function commandLine(pid: number): Promise<string> {
  return ((await readProc(pid, 'cmdline')) ?? '').split('\0').join(' ').trim();
}

/** True only if pid is alive and is the very process that had startTime. */
export async function isSameProcess(pid: number, startTime: string | null | undefined): Promise<boolean> {
  return !!startTime && (await startTimeOf(pid)) === startTime;
}

/**
 * Stopped by a signal (T: SIGSTOP) or by a tracer (t): alive, but does nothing until SIGCONT.
 * Synchronous on purpose: one small /proc read on the sandbox's critical path (the spare holder check).
 */
export function isStopped(pid: number): boolean {
  const state = statFieldsSync(pid)?.[0]; // undefined: gone
  return state === 'T' || state === 't';
}
