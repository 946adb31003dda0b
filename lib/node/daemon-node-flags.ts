// Node's flags for a node's daemon, in a module of their own: `npm run build` reads them too, to
// make the daemon bundle's code cache under them (V8 takes a cache only under the flags it was
// made with; scripts/bundle.js, bin/require-cached.js).

/**
 * Node's own flags for the daemon's process. The young generation capped at 2 MiB a semi-space:
 * V8 grows it to 16 MiB after a burst of creations and keeps it, a sixth of the daemon's memory at
 * 200 pods (118 -> 98.5 MiB in one run, 200 creations as fast). --optimize-for-size: V8 then
 * compacts its old generation and gives back the pages a burst left free, which it otherwise
 * keeps (after 100 creations and removals at once, 40.5 MiB of old space held 19 MiB of objects;
 * RSS 103 -> 73 MiB, creations, removals and restarts as fast, paired runs; README, "Benchmarks").
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=2', '--optimize-for-size'];
