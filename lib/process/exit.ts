// Hear of a child's exit exactly once, even if it already exited before we started listening
// (an 'exit' event emitted during an await is gone for a listener added after it).
import type { Proc } from '../exec/run.js';

export function onExit(proc: Proc, handler: (code: number | null, signal: NodeJS.Signals | null) => void): void {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    const { exitCode, signalCode } = proc;
    queueMicrotask(() => handler(exitCode, signalCode));
    return;
  }
  proc.once('exit', handler);
}
