// The step a sequence (create, recreate, remove) is in: named in its error message, and after
// each step the failpoint `<verb>/<step>` may fail the sequence there, once the step's undo is
// registered, so a test can prove the rollback of every prefix of the sequence.
import { failpoint } from '../failpoints.js';

export class Steps {
  current = '';

  constructor(readonly verb: string) {}

  begin(name: string): void {
    this.current = name;
  }

  /** The current step succeeded. */
  end(): void {
    failpoint(`${this.verb}/${this.current.replaceAll(' ', '-')}`);
  }
}
