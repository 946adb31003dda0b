// The one poll loop: call check until it gives a value or the deadline passes. For what has no
// event to wait on (a pid dying, a process exec'ing, a socket starting to answer).
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  everyMs: number;
  /** The waits between checks do not keep the process alive (a launcher that has its answer exits). */
  unref?: boolean;
}

/** p, for at most ms: the caller goes on either way, and how p ended is not its to hear (a timer left is cleared). */
export async function waitAtMost(p: PromiseLike<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.resolve(p).catch(() => {}), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** check's first truthy value; undefined if none came before timeoutMs (the caller says what that means). */
export async function waitUntil<T>(check: () => Promise<T | undefined | false | null | 0 | ''> | T | undefined, { timeoutMs, everyMs, unref }: WaitOptions): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs, undefined, { ref: !unref });
  }
}
