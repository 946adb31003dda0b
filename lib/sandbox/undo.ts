// An undo stack: each step that creates something pushes its undo before the next step runs.
// On failure the undos run in reverse; their own failures are attached to the original error.
// Steps that run side by side are tracked: a rollback first waits until every one has settled.
import { asMinipodError, type MinipodError } from '../errors.js';

export class UndoStack {
  private readonly undos: { what: string; fn: () => Promise<void> }[] = [];
  /** Steps still running beside the one that failed: a rollback waits for them to push their undos. */
  private readonly running: Promise<unknown>[] = [];

  push(what: string, fn: () => Promise<void>): void {
    this.undos.push({ what, fn });
  }

  /** A step running side by side with what follows: a rollback first waits for it to settle. */
  track(step: Promise<unknown>): void {
    step.catch(() => {}); // its failure is the caller's to report; a rollback only waits for it
    this.running.push(step);
  }

  /** Ownership passed on (to the pod record): nothing to undo any more. */
  disarm(): void {
    this.undos.length = 0;
    this.running.length = 0;
  }

  /** Undo everything, newest first. Returns the original error with cleanup failures attached. */
  async rollback(cause: unknown): Promise<MinipodError> {
    const err = asMinipodError(cause);
    await Promise.allSettled(this.running);
    while (this.undos.length) {
      const { what, fn } = this.undos.pop()!;
      try {
        await fn();
      } catch (e) {
        err.cleanupErrors.push(new Error(`undo ${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
      }
    }
    return err;
  }
}
