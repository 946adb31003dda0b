// A periodic pass that does not overlap itself (the supervisor's split-brain guard, each second).

/**
 * A call while a pass runs is skipped, not queued: the one under way already looks at the current
 * state. A skipped call resolves at once, a started one when its pass ends (rejecting if it fails).
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
