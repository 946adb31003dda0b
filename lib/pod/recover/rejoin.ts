// sandboxDeathPolicy Rejoin: a new pause holder enters the namespace the apps still keep alive
// (through a surviving app's pid); apps, IP and connections are kept, nothing restarts.
import { startTimeOf } from '../../process/identity.js';
import { rejoinSandbox } from '../../sandbox/sandbox.js';
import { epochMs, round, type LivePod, type PodContext } from '../live.js';
import { setPhase } from '../state.js';
import type { RecoveryTimeline } from '../types.js';
import { watchHolder } from '../watch.js';
import { checkNetnsName } from '../netns.js';
import { finishTimeline } from './timeline.js';

/** Throws if the holder cannot join; the caller then falls back to the plan's rebuild. */
export async function rejoin(ctx: PodContext, live: LivePod, via: number, attempt: number, timeline: RecoveryTimeline, started: number): Promise<void> {
  const r = live.record;
  const sandbox = r.sandbox!;
  const holder = await rejoinSandbox(via, sandbox.netns);
  await ctx.node.cgroups.create(r.uid); // gone after a reboot
  void ctx.node.cgroups.adopt(r.uid, holder.pid).catch(() => {}); // nsenter execs pause in place; neither forks
  live.holder = holder.proc;
  r.sandbox = { ...sandbox, pid: holder.pid, startTime: (await startTimeOf(holder.pid)) ?? null, attempt, createdAt: new Date().toISOString() };
  watchHolder(ctx, live, holder.proc);
  await checkNetnsName(ctx, live, holder.pid);
  timeline.sandboxMs = round(epochMs() - started);
  timeline.wiredAt = timeline.appsStartedAt = epochMs();
  setPhase(r, 'Running');
  r.conditions = [];
  r.message = null;
  finishTimeline(r, timeline);
  await ctx.store.persist(r);
  ctx.events.record(r, 'SandboxRejoined', `${timeline.cause}: pause ${holder.pid} joined ${sandbox.netns} through pid ${via}; apps, IP and connections kept, 0 restarts (${timeline.totalMs} ms)`);
}

