// Stop a pod: its apps (SIGTERM, SIGKILL after the grace period), then its sandbox (veth,
// holder), then its IP. Idempotent, and the one teardown path for stop, rm and shutdown.
import { readNamespace } from '../sandbox/netns.js';
import { deleteSandbox } from '../sandbox/sandbox.js';
import { stopContainer } from './containers.js';
import type { LivePod, PodContext } from './live.js';
import { assertTransition } from './state.js';
import type { PodRecord } from './types.js';

export async function stopPod(ctx: PodContext, live: LivePod, reason = 'stop requested'): Promise<PodRecord> {
  const r = live.record;
  if (r.phase === 'Stopped') return r;
  assertTransition(r.name, r.phase, 'Terminating');
  r.phase = 'Terminating';
  await ctx.store.save(r);
  for (const timer of live.restartTimers.values()) clearTimeout(timer); // no restart, no retry
  live.restartTimers.clear();
  const graceMs = r.manifest.spec.terminationGracePeriodSeconds * 1000;
  ctx.events.record(r, 'Killing', `${reason}: stopping ${live.apps.size} container(s), grace period ${graceMs / 1000}s`);
  await Promise.all(r.containers.map((c) => stopContainer(live, c.name, graceMs)));
  if (r.sandbox) {
    // A record from an earlier daemon has no child handles: kill its processes only if they
    // still hold the recorded namespace (never a reused pid).
    for (const c of r.containers) if (c.pid && !live.apps.has(c.name)) await killIfHolds(c.pid, r.sandbox.netns);
    const holder = live.holder;
    live.holder = null; // its exit is now expected
    await deleteSandbox(ctx.ipTeardown, { proc: holder, hostVeth: r.sandbox.hostVeth });
    if (!holder) await killIfHolds(r.sandbox.pid, r.sandbox.netns);
    ctx.events.record(r, 'SandboxDeleted', `pause ${r.sandbox.pid} and veth ${r.sandbox.hostVeth} removed; ${r.sandbox.netns} released`);
  }
  if (r.ip) await ctx.ips.release(r.ip);
  for (const c of r.containers) Object.assign(c, { pid: null, netns: null, ready: false, restartAt: null, ...(c.state === 'Terminated' ? {} : { state: 'Terminated', reason: 'Killed' }) });
  r.sandbox = null;
  r.ip = '';
  r.conditions = [];
  r.phase = 'Stopped';
  r.message = reason;
  await ctx.store.save(r);
  return r;
}

/** SIGKILL pid only if it still holds the namespace we recorded (never a reused pid). */
async function killIfHolds(pid: number, netns: string): Promise<void> {
  if ((await readNamespace(pid)) !== netns) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
