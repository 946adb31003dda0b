// Poll until a condition holds; fail with what we were waiting for instead of hanging.
import { waitUntil } from '../../lib/util/wait.js';

export async function waitFor<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000, everyMs = 20): Promise<T> {
  const value = await waitUntil(check, { timeoutMs, everyMs });
  if (value === undefined) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
  return value;
}
