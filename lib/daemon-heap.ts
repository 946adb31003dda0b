// The daemon's V8 heap settings. They are set once the daemon runs (v8.setFlagsFromString), not
// given as Node flags: V8 refuses a code cache made under other flags, and any flag on the command
// line made Node compile its own modules from source (47 ms instead of 15 for the daemon's, measured)
// and needed a code cache of our bundle for that set of flags.
import v8 from 'node:v8';

/**
 * - --semi-space-growth-factor=1: the young generation stays at the 1 MiB semi-spaces it starts
 *   with. V8 grew them to 16 MiB after a burst of creations and kept them, a sixth of the
 *   daemon's memory at 200 pods (118 -> 98.5 MiB in one run, 200 creations as fast).
 * - --optimize-for-size: V8 then compacts its old generation and gives back the pages a burst
 *   left free, which it otherwise keeps (after 100 creations and removals at once, 40.5 MiB of
 *   old space held 19 MiB of objects; RSS 103 -> 73 MiB, creations, removals and restarts as
 *   fast, paired runs; README, "Benchmarks").
 */
export const DAEMON_V8_FLAGS = ['--semi-space-growth-factor=1', '--optimize-for-size'];

/** Applies DAEMON_V8_FLAGS to this process. */
export function tuneDaemonHeap(): void {
  for (const flag of DAEMON_V8_FLAGS) v8.setFlagsFromString(flag);
}
