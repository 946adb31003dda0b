// The step a sequence (create, recreate, remove) is in: named in its error message, and after
// each step the failpoint `<verb>/<step>` may fail the sequence there, once the step's undo is
// registered, so a test can prove the rollback of every prefix of the sequence. Each step's time
// (from its begin to the next begin) is kept, so a create can say where its time went.
import { failpoint } from '../failpoints.js';

export class Steps {
  current = '';
  private readonly spent = new Map<string, number>();
  private since = performance.now();

  constructor(readonly verb: string) {}

  begin(name: string): void {
    this.lap();
    this.current = name;
  }

  /** The current step succeeded. */
  end(): void {
    failpoint(`${this.verb}/${this.current.replaceAll(' ', '-')}`);
  }

  /** ms spent so far in each step, in the order first begun (a step begun twice sums both). */
  phases(): Record<string, number> {
    this.lap();
    return Object.fromEntries([...this.spent].map(([k, v]) => [k, Math.round(v * 100) / 100]));
  }

  private lap(): void {
    const now = performance.now();
    if (this.current) this.spent.set(this.current, (this.spent.get(this.current) ?? 0) + now - this.since);
    this.since = now;
  }
}
