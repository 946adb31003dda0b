// The remove verb: stop (if need be), then delete logs and record. The intent is persisted first
// (deletionTimestamp), then `rm` is answered: the pod is gone for the user at once, as a pod
// deleted with --force is gone from the API server while kubelet still kills it. The teardown
// (processes, veth, namespace, cgroup, lease) goes on in the background under the pod's lock,
// holding its name and its IP until it is done; a daemon that dies meanwhile finishes it at its
// next start, from the record.
import { rm } from 'node:fs/promises';
import { asMinipodError, MinipodError } from '../errors.js';
import { Steps } from '../sandbox/steps.js';
import { logDir } from './record.js';
import { forgetRotationsUnder } from '../logs/rotations.js';
import { withLock, type LivePod, type PodContext } from './live.js';
import { keyOf, listFlag, podTitle } from '../manifest/pod-key.js';
import type { PodRegistry } from './registry.js';
import { canRemove, setPhase } from './state.js';
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
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const done = withLock(live, () =>
    removeLocked(ctx, pods, live, () => {
      live.removal = finished; // gone for the user from now on
      answer();
    }),
  );
  const finished = done.then(
    () => {},
    (err: Error) => live.removal && failed(ctx, live, err),
  );
  await Promise.race([answered, done]); // a failure before the intent is on disk is the caller's
}

/**
 * A background teardown that failed: the pod is back for the user, Terminating, with the error
 * in its message and an event, for `rm -f` to finish (as an undo that fails keeps it).
 */
async function failed(ctx: PodContext, live: LivePod, err: Error): Promise<void> {
  live.removal = undefined;
  live.record.message = err.message;
  ctx.events.record(live.record, 'RemoveFailed', err.message, { type: 'Warning' });
  await ctx.store.persist(live.record).catch(() => {}); // retried by the store; the intent is on disk already
}

/**
 * Under the pod's lock: also how boot finishes a removal or an unfinished create. `accepted` is
 * called once the intent is on disk (what `rm` waits for); the rest may take the kernel a while.
 */
export async function removeLocked(ctx: PodContext, pods: PodRegistry, live: LivePod, accepted?: () => void): Promise<void> {
  const r = live.record;
  if (!pods.holds(live)) return accepted?.(); // removed meanwhile
  const steps = new Steps('remove');
  try {
    if (accepted || !r.deletionTimestamp) {
      steps.begin('persist record');
      r.deletionTimestamp ??= new Date().toISOString();
      if (r.phase !== 'Stopped') setPhase(r, 'Terminating');
      await ctx.store.persist(r);
      steps.end();
    }
  } catch (err) {
    throw new MinipodError(asMinipodError(err).code, `failed to remove pod ${r.name}: ${steps.current}: ${(err as Error).message} (the pod stays Terminating; run \`minipod rm -f ${r.name}\` again)`, { cause: err });
  }
  accepted?.();
  await stopPod(ctx, live, 'pod removed', { verb: 'remove', persisted: true });
  try {
    steps.begin('delete logs');
    // Retried: a rotation already under way may add NAME.log.1 while the directory is emptied.
    await rm(logDir(ctx, keyOf(r)), { recursive: true, force: true, maxRetries: 3 });
    forgetRotationsUnder(logDir(ctx, keyOf(r)));
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
