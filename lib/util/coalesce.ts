// An async job asked for again while it runs. coalesced: one read shared by callers that ask at
// once (the mount table for a hundred pods stopping together), never staler than the call: each
// caller gets a read that started after it asked. While a read runs, whoever asks meanwhile shares
// the next one. Its callers share one value: they read it, never change it. skipWhileRunning: a
// periodic pass that does not overlap itself.
export function coalesced<T>(read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined; // the read under way
  let queued: Promise<T> | undefined; // the one after it, for whoever asked meanwhile
  const start = (): Promise<T> => {
    const p = read();
    current = p;
    const clear = () => {
      if (current === p) current = undefined;
    };
    p.then(clear, clear);
    return p;
  };
  return () => {
    if (!current) return start();
    queued ??= current.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      queued = undefined;
      return start();
    });
    return queued;
  };
}

/**
 * A periodic pass that never overlaps itself (the split-brain guard's, each second): a call while
 * one runs is skipped, not queued, since the one under way already looks at the current state.
 * Resolves when the pass it started (or skipped) is done with; a failing pass rejects as before.
 */
export function skipWhileRunning(pass: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    if (running) return Promise.resolve();
    const p = pass().finally(() => {
      running = undefined;
    });
    running = p;
    return p;
  };
}
