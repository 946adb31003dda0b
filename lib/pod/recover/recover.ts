// Sandbox recovery, what kubelet does on "Pod sandbox changed, it will be killed and re-created":
// a pure plan (plan.ts planSandboxLoss, kubelet's computePodActions) followed by its
// steps: rejoin (rejoin.ts), recreate (recreate.ts), or stop. Runs under the pod's lock; gives
// up between steps if the pod is being stopped.
import { planSandboxLoss } from '../plan.js';
import { epochMs, type LivePod, type PodContext } from '../live.js';
import { stopPod } from '../stop.js';
import { recreate } from './recreate.js';
import { rejoin } from './rejoin.js';
import { newTimeline } from './timeline.js';

export async function recoverSandbox(ctx: PodContext, live: LivePod, cause: string, detectedAt: number): Promise<void> {
  const r = live.record;
  await ctx.network?.catch(() => {}); // a boot's: a new sandbox needs the bridge (a failed network fails the boot)
  if (live.terminating || r.phase !== 'SandboxLost' || !r.sandbox) return; // recovered or ending already
  const started = epochMs();
  let plan = planSandboxLoss(r.manifest.spec.sandboxDeathPolicy, r.manifest.spec.restartPolicy, r.sandbox.attempt, r.containers, live.holder !== null);
  const timeline = newTimeline(cause, plan, r.sandbox.attempt, detectedAt, started);

  if (plan.action === 'rejoin') {
    try {
      return await rejoin(ctx, live, plan.via, plan.attempt, timeline, started);
    } catch (err) {
      ctx.events.record(r, 'RejoinFailed', `${(err as Error).message}: ${plan.fallback.action === 'stop' ? 'stopping the pod' : 'recreating the sandbox'} instead`, { type: 'Warning' });
      plan = plan.fallback;
      timeline.action = plan.action;
    }
  }

  if (plan.action === 'stop') {
    r.lastRecovery = timeline;
    ctx.events.record(r, 'SandboxChanged', `Pod sandbox changed (${cause}), and ${plan.reason}: stopping the pod`, { type: 'Warning' });
    await stopPod(ctx, live, plan.reason);
    return;
  }
  await recreate(ctx, live, plan, timeline);
}
