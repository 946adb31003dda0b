// The step a sequence (create, recreate, remove) is in: named in its error message, and after
// each step the failpoint `<verb>/<step>` may fail the sequence there, once the step's undo is
// registered, so a test can prove the rollback of every prefix of the sequence. Each step's time
// is kept, so a create can say where its time went.
//
// Steps run one after another (begin: timed until end, the next begin, or a pause) or side by side
// (run: timed from its own start to its end; `all` waits for every branch). Of steps side by side,
// the first to fail is the one the error names; a step not yet begun then does not begin.
import { failpoint } from '../failpoints.js';

/** Thrown by a step that does not begin because another already failed; never the one reported. */
class Abandoned extends Error {}

export class Steps {
  /** The step in sequence, timed until it ends, the next one begins or the sequence pauses. */
  private inSequence = '';
  /** The step begun last in sequence: what an error outside the steps side by side is about. */
  private label = '';
  /** The sequence failed: steps side by side that have not begun do not. */
  private stopped = false;
  /** The first step that failed, of those run side by side. */
  private failed: { step: string; err: unknown } | undefined;
  private readonly spent = new Map<string, number>();
  private since = performance.now();

  constructor(readonly verb: string) {}

  /** The step an error is about: the first that failed side by side, else the one in sequence. */
  get current(): string {
    return this.failed?.step ?? this.label;
  }

  begin(name: string): void {
    this.lap();
    this.inSequence = this.label = name;
  }

  /** The current step succeeded: its time stops here. */
  end(): void {
    const step = this.inSequence;
    this.pause();
    failpoint(`${this.verb}/${step.replaceAll(' ', '-')}`);
  }

  /** The step in sequence is done, and steps side by side follow: its time stops here. */
  pause(): void {
    this.lap();
    this.inSequence = '';
  }

  /** One step beside others: timed alone, its failpoint after it; fails at once if one already failed. */
  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.failed || this.stopped) throw new Abandoned(name);
    if (!this.spent.has(name)) this.spent.set(name, 0); // listed in the order begun
    const t0 = performance.now();
    try {
      const value = await fn();
      this.add(name, performance.now() - t0);
      failpoint(`${this.verb}/${name.replaceAll(' ', '-')}`);
      return value;
    } catch (err) {
      this.failed ??= { step: name, err };
      throw err;
    }
  }

  /**
   * Every branch settled (so each undo is registered before a rollback runs); then the values, or
   * the error of the first step that failed.
   */
  async all<T extends readonly unknown[]>(branches: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
    const settled = await Promise.allSettled(branches);
    const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (!rejected) return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
    throw this.failed ? this.failed.err : rejected.reason;
  }

  /** The sequence failed (a rollback follows): no step side by side begins from now on. */
  stop(): void {
    this.stopped = true;
  }

  /** ms spent so far in each step, in the order first begun (a step begun twice sums both). */
  phases(): Record<string, number> {
    this.lap();
    return Object.fromEntries([...this.spent].map(([k, v]) => [k, Math.round(v * 100) / 100]));
  }

  private add(name: string, ms: number): void {
    this.spent.set(name, (this.spent.get(name) ?? 0) + ms);
  }

  private lap(): void {
    const now = performance.now();
    if (this.inSequence) this.add(this.inSequence, now - this.since);
    this.since = now;
  }
}
