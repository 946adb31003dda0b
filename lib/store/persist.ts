// Writes that teardown must not wait for. With the state filesystem full, stopping or removing a
// pod still stops its apps and frees its kernel objects; what could not be written is kept (the
// latest write per key) and retried with back-off until it succeeds, in the order it was asked
// for. A later write for the same key replaces a pending one; writes for one key never overlap.
import { statfsSync } from 'node:fs';
import { MinipodError } from '../errors.js';
import { log } from '../log.js';

export const RETRY_BASE_MS = 1000;
export const RETRY_MAX_MS = 5000;

/** ENOSPC/EDQUOT as an error that says what to do; anything else unchanged. */
export function diskError(err: unknown, file: string, stateDir: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return err;
  return new MinipodError('EXHAUSTED', `no space left on device writing ${file}: free space under ${stateDir}`, { cause: err });
}

/** Below this, a create is refused before it makes anything: its lease, record and logs would not fit. */
export const MIN_FREE_BYTES = 64 * 1024;

/**
 * The state dir's filesystem has room for a new pod (one statfs, no thread pool), or an error
 * saying what to free; a write can still find it full later, and is then rolled back.
 */
export function checkSpace(stateDir: string, what: string): void {
  const fs = statfsSync(stateDir);
  const free = fs.bfree * fs.bsize;
  if (free < MIN_FREE_BYTES) throw new MinipodError('EXHAUSTED', `${what}: no space left on device under ${stateDir} (${Math.floor(free / 1024)} KiB free): free space there`);
}

export class PersistQueue {
  /** What is still to write per key, with the number of the request it came from. */
  private readonly pending = new Map<string, { op: () => Promise<void>; seq: number }>();
  private readonly latest = new Map<string, number>();
  private seq = 0;
  private readonly chains = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly baseMs = RETRY_BASE_MS,
    private readonly maxMs = RETRY_MAX_MS,
  ) {}

  /** Run op now (after any write for key in flight); throws. A pending retry for key is dropped. */
  async now(key: string, op: () => Promise<void>): Promise<void> {
    const seq = this.ask(key);
    await this.serial(key, op);
    this.done(key, seq);
  }

  /** Run op now; if it fails, keep it and retry until it succeeds. Never throws: false if kept. */
  async later(key: string, op: () => Promise<void>): Promise<boolean> {
    const seq = this.ask(key);
    try {
      await this.serial(key, op);
      this.done(key, seq);
      return true;
    } catch (err) {
      // Unless a newer write for key was asked for meanwhile: that one counts.
      if (this.latest.get(key) === seq) this.keep(key, { op, seq }, err);
      return false;
    }
  }

  private ask(key: string): number {
    const seq = ++this.seq;
    this.latest.set(key, seq);
    return seq;
  }

  /** Written: an older pending write for key is moot. */
  private done(key: string, seq: number): void {
    const p = this.pending.get(key);
    if (p && p.seq <= seq) this.pending.delete(key);
    if (this.latest.get(key) === seq) this.latest.delete(key);
  }

  /** Keys with a write not yet done. */
  keys(): string[] {
    return [...this.pending.keys()];
  }

  /** One last try of everything pending (a daemon going away); what still fails is given up. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.retry();
    if (this.pending.size) log.error({ keys: this.keys() }, 'state not written before exit: the next daemon starts from what is on disk');
  }

  private serial(key: string, op: () => Promise<void>): Promise<void> {
    const run = (this.chains.get(key) ?? Promise.resolve()).then(op);
    const tail = run.catch(() => {});
    this.chains.set(key, tail);
    void tail.then(() => this.chains.get(key) === tail && this.chains.delete(key));
    return run;
  }

  private keep(key: string, write: { op: () => Promise<void>; seq: number }, err: unknown): void {
    this.pending.set(key, write);
    log.warn({ key, err: (err as Error).message }, 'state not written: kept in memory and retried');
    this.arm();
  }

  private arm(): void {
    if (this.closed || this.timer || !this.pending.size) return;
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** this.failures);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.retry().then(() => this.arm());
    }, delay);
    this.timer.unref();
  }

  private async retry(): Promise<void> {
    let failed = false;
    await Promise.all(
      [...this.pending].map(async ([key, { op, seq }]) => {
        try {
          // Checked when its turn comes: a newer write asked for meanwhile (in flight now) makes it moot.
          let ran = false;
          await this.serial(key, async () => {
            if (this.pending.get(key)?.seq !== seq) return;
            await op();
            ran = true;
          });
          this.done(key, seq);
          if (ran) log.info({ key }, 'state written after an earlier failure');
        } catch {
          failed = true;
        }
      }),
    );
    this.failures = failed ? this.failures + 1 : 0;
  }
}
