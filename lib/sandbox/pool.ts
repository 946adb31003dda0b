// One holder started ahead of need: its spawn (~10 ms, and it blocks Node's event loop) happens
// after an operation instead of inside the next one, so a sandbox — new or recreated — starts
// from namespaces that already exist. A spare has no veth, address or pod; it is only a process.
import { log } from '../log.js';
import { stopProcess } from '../process/stop.js';
import { holderAlive, startPause, type Holder } from './pause.js';

export class HolderPool {
  private spare: Promise<Holder | null> | null = null;
  private closed = false;

  constructor(private readonly enabled = true) {}

  /** A holder whose namespaces exist: the spare if there is a live one, else a new one. */
  async take(): Promise<Holder> {
    const spare = this.spare;
    this.spare = null;
    const h = spare ? await spare : null;
    return h && holderAlive(h) ? h : startPause();
  }

  /**
   * Start a spare if there is none; call it once the latency-sensitive work is done. Deferred
   * a turn of the event loop, so a reply already written goes out before the spawn blocks.
   */
  refill(): void {
    if (!this.enabled || this.closed || this.spare) return;
    this.spare = new Promise<void>((resolve) => setTimeout(resolve, 0))
      .then(() => (this.closed ? null : startPause()))
      .catch((err: Error) => {
        log.warn({ err: err.message }, 'could not start a spare pause holder');
        return null;
      });
  }

  async sparePid(): Promise<number | null> {
    const h = this.spare ? await this.spare : null;
    return h && holderAlive(h) ? h.pid : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    const h = this.spare ? await this.spare : null;
    this.spare = null;
    if (h) await stopProcess(h.proc, 1000);
  }
}
