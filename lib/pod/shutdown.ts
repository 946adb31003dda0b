// Daemon shutdown: every pod stopped (--stop-pods-on-exit), or left running for the next daemon
// to re-adopt (live restore, the default).
import { cancelTimers, withLock, type PodContext } from './live.js';
import type { PodRegistry } from './registry.js';
import { stopPod } from './stop.js';
import { waitAtMost } from '../util/wait.js';
import { endExecs } from './exec.js';

/** Stop every pod (in parallel), leaving no process, veth or lease. */
export async function stopAll(ctx: PodContext, pods: PodRegistry): Promise<void> {
  await ctx.pool.close();
  await Promise.all(pods.removals()); // `rm`s already answered: finished, not left to the next start
  await Promise.allSettled(
    pods.all().map((live) => {
      live.terminating = true;
      return withLock(live, () => stopPod(ctx, live, 'daemon shutting down'));
    }),
  );
  await ctx.store.close(); // a last try of what the disk refused; the rest is lost with us
  ctx.watcher.close();
}

/**
 * The pods keep running and the next daemon re-adopts them. Operations in progress get a moment
 * to finish and persist; one still going after that is finished by the next daemon, as after a
 * crash. Exec sessions end with their connections.
 */
export async function detachAll(ctx: PodContext, pods: PodRegistry, waitMs: number): Promise<void> {
  await ctx.pool.close();
  // `rm`s already answered are finished first (each is bounded: grace period, then SIGKILL); one
  // cut short by a crash instead is finished by the next daemon, from its record.
  await Promise.all(pods.removals());
  const settled = Promise.allSettled(
    pods.all().map(async (live) => {
      cancelTimers(live); // re-armed by the next daemon from restartAt (restarts) and phase (retries)
      await endExecs(live, 'the minipod daemon is shutting down, and an exec does not outlive it: run the command again once the daemon answers');
      // Once what is in progress is done, the record as it stands now: what the supervisor
      // changed without waiting for its write (an exit, a back-off) is on disk for the next daemon.
      await withLock(live, async () => {
        if (pods.holds(live)) await ctx.store.persist(live.record); // not if removed meanwhile
      });
    }),
  );
  await waitAtMost(settled, waitMs);
  await ctx.store.close(); // a last try of what the disk refused; the rest is lost with us
  ctx.watcher.close();
}
