// The old sandbox's network namespace during a recreation: pinned while a process of ours is
// surely in it, so its stragglers can be swept by inode number once the new sandbox is wired
// (off the critical path), or on the way out of a recreation that stops early.
import { killProcessesIn } from '../../process/sweep.js';
import { pinNamespace, type NamespacePin } from '../../sandbox/netns.js';

export class OldNamespace {
  private pin: NamespacePin | undefined;
  private holder: number | undefined;
  /** The sweep under way (or done); resolved if none was started. */
  swept: Promise<void> = Promise.resolve();

  constructor(readonly netns: string) {}

  /** Pinned through the old holder's and apps' pids; none of them may be swept. */
  pinVia(holder: number | undefined, apps: (number | undefined)[]): void {
    this.holder = holder;
    this.pin = pinNamespace('net', this.netns, [holder, ...apps]);
  }

  /** Kill what is left in it (once: a second call returns the first sweep), then unpin. */
  sweep(): Promise<void> {
    const fh = this.pin;
    this.pin = undefined;
    if (!fh) return this.swept;
    this.swept = killProcessesIn('net', [this.netns], new Set(this.holder ? [this.holder] : []))
      .then(() => {}, () => {})
      .finally(() => fh.close());
    return this.swept;
  }
}
