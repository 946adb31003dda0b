// The pod's `ip netns` name (sandbox/netns-name.ts) as the pod verbs keep it: made with each new
// sandbox (create, recreate), checked when a sandbox is kept (rejoin, a daemon restart).
import { MinipodError } from '../errors.js';
import { bindNetnsName, checkNetnsNameFree, createNetnsName, ensureNetnsName, reserveNetnsName } from '../sandbox/netns-name.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { Steps } from '../sandbox/steps.js';
import type { UndoStack } from '../sandbox/undo.js';
import type { LivePod, PodContext } from './live.js';
import { keyOf } from '../manifest/pod-key.js';
import type { PodRecord } from './types.js';
import { isHostNetwork } from './host-network.js';

/** The pod's `ip netns` name, pointing at its new sandbox (sandbox/netns-name.ts); undone first on a rollback. */
export async function nameNetns(ctx: PodContext, r: PodRecord, sandbox: Pick<Sandbox, 'pid' | 'netns' | 'bindNetns' | 'release'>, undo: UndoStack, steps: Steps): Promise<void> {
  if (isHostNetwork(r)) return void sandbox.release?.(); // the node's namespace is no pod's to name
  steps.begin('name network namespace');
  try {
    // The holder mounts its own namespace: no `mount` process in the sandbox's creation or recovery.
    await createNetnsName(ctx.node, keyOf(r), owner(r, sandbox), undo, sandbox.bindNetns);
  } finally {
    sandbox.release?.();
  }
  steps.end();
}

/** Before a create makes anything: a name of somebody else's where the pod's would go is refused. */
export async function checkNameFree(ctx: PodContext, r: PodRecord): Promise<void> {
  if (isHostNetwork(r)) return;
  await checkNetnsNameFree(ctx.node, keyOf(r)).catch((err: MinipodError) => {
    throw new MinipodError(err.code, `metadata.name: ${err.message}`);
  });
}

/** A create's first half of nameNetns, while the sandbox is built: the name's registry entry and empty file. */
export async function reserveName(ctx: PodContext, r: PodRecord, undo: UndoStack, steps: Steps): Promise<void> {
  if (isHostNetwork(r)) return;
  await steps.run('reserve netns name', () => reserveNetnsName(ctx.node, keyOf(r), r.uid, undo));
}

/** A create's second half: the holder mounts the new sandbox's namespace on the reserved name. */
export async function bindName(ctx: PodContext, r: PodRecord, sandbox: Pick<Sandbox, 'pid' | 'netns' | 'bindNetns' | 'release'>, steps: Steps): Promise<void> {
  if (isHostNetwork(r)) return void sandbox.release?.();
  try {
    await steps.run('name network namespace', () => bindNetnsName(ctx.node, keyOf(r), owner(r, sandbox), sandbox.bindNetns));
  } finally {
    sandbox.release?.();
  }
}

const owner = (r: PodRecord, sandbox: Pick<Sandbox, 'pid' | 'netns'>) => ({ uid: r.uid, pid: sandbox.pid, netns: sandbox.netns });

/**
 * A sandbox kept (rejoined, or re-adopted by a restarted daemon): its `ip netns` name still points
 * at it (a bind mount does not depend on a pid) unless somebody removed or re-pointed it; then it
 * is made again through `pid`, the holder verified ours. Never a reason to fail the rejoin or restore.
 */
export async function checkNetnsName(ctx: PodContext, live: LivePod, pid: number): Promise<void> {
  const r = live.record;
  if (isHostNetwork(r)) return;
  try {
    const was = await ensureNetnsName(ctx.node, keyOf(r), { uid: r.uid, pid, netns: r.sandbox!.netns });
    if (was) ctx.events.record(r, 'NetnsNameRepaired', `ip netns name ${keyOf(r)} ${was}: points at ${r.sandbox!.netns} again`, { type: 'Warning' });
  } catch (err) {
    ctx.events.record(r, 'NetnsNameFailed', `ip netns name ${keyOf(r)}: ${(err as Error).message}`, { type: 'Warning' });
  }
}
