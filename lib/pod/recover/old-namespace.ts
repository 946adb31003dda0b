// The old sandbox's network namespace during a recreation: pinned while a process of ours is
// surely in it, so its stragglers can be swept by inode number once the new sandbox is wired
// (off the critical path), or on the way out of a recreation that stops early.
import { PinnedNamespace } from '../../process/sweep.js';

export class OldNamespace {
  private pinned: PinnedNamespace | undefined;
  private holder: number | undefined;
  /** The sweep under way (or done); resolved if none was started. */
  swept: Promise<void> = Promise.resolve();

  constructor(readonly netns: string) {}

  /** Pinned through the old holder's and apps' pids; none of them may be swept. */
  pinVia(holder: number | undefined, apps: (number | undefined)[]): void {
    this.holder = holder;
    this.pinned = PinnedNamespace.take('net', this.netns, [holder, ...apps]);
  }

  /** Unpin without killing anything: the apps were never stopped (a recreation that failed before). */
  release(): void {
    this.pinned?.close();
    this.pinned = undefined;
  }

  /** Kill what is left in it (once: a second call returns the first sweep), then unpin. */
  sweep(): Promise<void> {
    const pinned = this.pinned;
    this.pinned = undefined;
    if (!pinned) return this.swept;
    this.swept = pinned
      .sweep({ except: new Set(this.holder ? [this.holder] : []) })
      .then(() => {}, () => {})
      .finally(() => pinned.close());
    return this.swept;
  }
}
