// A process minipod watches but did not spawn (an adopted holder or app): it reports its exit
// with the same 'exit' event and fields as a child, so the supervisor treats both alike.
import { EventEmitter } from 'node:events';

/** A process we watch but did not spawn. `exited` is set even when how it ended is unknown. */
export class AdoptedProcess extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  exited = false;
  constructor(
    readonly pid: number,
    readonly startTime: string,
  ) {
    super();
  }

  /** Called by the watcher (code or signal when the zombie could still be read, else neither), or
   * by stopProcess once /proc shows the process gone. */
  markExited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    Object.assign(this, { exited: true, exitCode: code, signalCode: signal });
    this.emit('exit', code, signal);
  }
}
