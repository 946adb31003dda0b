// Hear of a process's exit exactly once, even if it already exited before we started listening
// (an 'exit' event emitted during an await is gone for a listener added after it). Works alike
// for a child we spawned and for a process we re-adopted (process/watcher.ts).
import type { EventEmitter } from 'node:events';

/** What the supervisor needs of a process: a child (os/child.ts) and an AdoptedProcess both fit. */
export interface Watchable extends EventEmitter {
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  /** Set by an adopted process whose exit status could not be read. */
  readonly exited?: boolean;
  /** Set by a runtime whose container's memory cgroup saw an OOM kill during its run (containerd's CRI marks it so too). */
  readonly oomKilled?: boolean;
}

export const hasExited = (p: Watchable) => p.exitCode !== null || p.signalCode !== null || p.exited === true;

export function onExit(proc: Watchable, handler: (code: number | null, signal: NodeJS.Signals | null) => void): void {
  if (hasExited(proc)) {
    const { exitCode, signalCode } = proc;
    queueMicrotask(() => handler(exitCode, signalCode));
    return;
  }
  proc.once('exit', handler);
}
