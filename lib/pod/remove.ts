// The remove verb: stop (if need be), then delete logs and record. The intent is persisted first
// (deletionTimestamp), so a daemon that dies meanwhile finishes the removal at its next start.
import { rm } from 'node:fs/promises';
import { asMinipodError, MinipodError } from '../errors.js';
import { Steps } from '../sandbox/steps.js';
import { logDir } from './create.js';
import { withLock, type LivePod, type PodContext } from './live.js';
import { keyOf, listFlag, podTitle } from '../manifest/pod-key.js';
import type { PodRegistry } from './registry.js';
import { canRemove } from './state.js';
import { stopPod } from './stop.js';
import { removePodVolumes } from './volumes.js';

/** `minipod rm [-f]`: only a stopped pod unless forced. */
export async function removePod(ctx: PodContext, pods: PodRegistry, key: string, force: boolean): Promise<void> {
  const live = pods.live(key);
  if (!canRemove(live.record.phase) && !force) {
    const { name } = live.record;
    throw new MinipodError('CONFLICT', `${podTitle(key)} is ${live.record.phase}: stop it first (\`minipod stop${listFlag(key)} ${name}\`) or use \`minipod rm${listFlag(key)} -f ${name}\``);
  }
  live.terminating = true;
  await withLock(live, () => removeLocked(ctx, pods, live));
}

/** Under the pod's lock: also how boot finishes a removal or an unfinished create. */
export async function removeLocked(ctx: PodContext, pods: PodRegistry, live: LivePod): Promise<void> {
  const r = live.record;
  if (!pods.holds(live)) return; // removed meanwhile
  if (r.phase === 'Stopped' && !r.deletionTimestamp) {
    r.deletionTimestamp = new Date().toISOString();
    await ctx.store.persist(r);
  }
  await stopPod(ctx, live, 'pod removed', 'remove');
  const steps = new Steps('remove');
  try {
    steps.begin('delete logs');
    // Retried: a rotation already under way may add NAME.log.1 while the directory is emptied.
    await rm(logDir(ctx, keyOf(r)), { recursive: true, force: true, maxRetries: 3 });
    steps.end();
    steps.begin('delete volumes');
    await removePodVolumes(ctx.node.stateDir, r.uid); // after the stop: no container has them mounted any more
    steps.end();
    steps.begin('delete record');
    await ctx.store.remove(keyOf(r)); // retried until it succeeds, should the disk refuse it
    steps.end();
  } catch (err) {
    throw new MinipodError(asMinipodError(err).code, `failed to remove pod ${r.name}: ${steps.current}: ${(err as Error).message} (run \`minipod rm -f ${r.name}\` again)`, { cause: err });
  }
  pods.delete(keyOf(r));
  ctx.events.record(r, 'Removed', `pod ${r.name} removed`);
}
