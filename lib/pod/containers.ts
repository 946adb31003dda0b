// A pod's app processes: start one inside the current sandbox, stop one, and record how it
// ended. What happens after an unexpected exit is the supervisor's decision (ctx.onContainerExit).
import { DEFAULT_PATH } from '../manifest/command.js';
import type { Watchable } from '../process/exit.js';
import { onExit } from '../process/exit.js';
import type { LivePod, PodContext } from './live.js';
import type { ContainerStatus } from './types.js';

export function containerStatus(live: LivePod, name: string): ContainerStatus {
  return live.record.containers.find((c) => c.name === name)!;
}

/** Start the container in the pod's current sandbox, through the runtime; its exit is recorded as it happens. */
export async function startContainer(ctx: PodContext, live: LivePod, name: string): Promise<void> {
  const r = live.record;
  const c = containerStatus(live, name);
  const spec = r.manifest.spec.containers.find((s) => s.name === name)!;
  const env = { PATH: DEFAULT_PATH, HOSTNAME: r.name, ...Object.fromEntries(spec.env.map((e) => [e.name, e.value])) };
  clearTimeout(live.restartTimers.get(name));
  live.restartTimers.delete(name);
  live.exitedWhileBusy.delete(name); // started again: no decision pending
  const restarted = c.startedAt !== null;
  const sandbox = r.sandbox!;
  const { proc, settled } = await ctx.runtime.start({ pod: r.name, name, sandboxPid: sandbox.pid, netns: sandbox.netns, argv: c.argv, env, cwd: spec.workingDir ?? '/', logPath: c.logPath, cgroup: ctx.node.cgroups.dir(r.uid) });
  // Recorded and watched before the next await: a quick app may exit during it.
  live.apps.set(name, proc);
  Object.assign(c, { state: 'Running', reason: null, ready: false, pid: proc.pid, startedAt: new Date().toISOString(), finishedAt: null, exitCode: null, signal: null, restartAt: null });
  if (restarted) c.restartCount++;
  onExit(proc, (code, signal) => exited(ctx, live, c, proc, code, signal));
  // Inside the sandbox only once it has joined it (what inspect reports, what the split-brain guard compares).
  const where = await settled;
  if (where.inSandbox) c.netns = sandbox.netns;
  c.startTime = where.startTime;
  ctx.events.record(r, 'ContainerStarted', `started ${c.argv.join(' ')} (pid ${proc.pid}) in ${sandbox.netns}${restarted ? `, restart ${c.restartCount}` : ''}`, { container: name });
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the app has exited. Idempotent. */
export async function stopContainer(ctx: PodContext, live: LivePod, name: string, graceMs: number): Promise<void> {
  clearTimeout(live.restartTimers.get(name));
  live.restartTimers.delete(name);
  const proc = live.apps.get(name);
  if (!proc) return;
  live.stopping.add(name);
  await ctx.runtime.stop(proc, graceMs);
}

/**
 * Take over an app the daemon before us started (restore.ts has checked that it is the recorded
 * process, in the pod's sandbox): from now on its exit is handled like one of our children's.
 */
export function adoptContainer(ctx: PodContext, live: LivePod, name: string): void {
  const c = containerStatus(live, name);
  const proc = ctx.runtime.adopt(c.pid!, c.startTime!);
  live.apps.set(name, proc);
  onExit(proc, (code, signal) => exited(ctx, live, c, proc, code, signal));
}

function exited(ctx: PodContext, live: LivePod, c: ContainerStatus, proc: Watchable, code: number | null, signal: NodeJS.Signals | null): void {
  if (live.apps.get(c.name) !== proc) return;
  live.apps.delete(c.name);
  const expected = live.stopping.delete(c.name);
  const finishedAt = new Date().toISOString();
  // Unknown: an adopted app whose parent reaped it before the watcher could read its status.
  const reason = expected ? 'Killed' : code === 0 ? 'Completed' : code === null && signal === null ? 'Unknown' : 'Error';
  Object.assign(c, { state: 'Terminated', reason, ready: false, pid: null, netns: null, finishedAt, exitCode: code, signal });
  c.lastState = { exitCode: code, signal, reason, startedAt: c.startedAt, finishedAt };
  if (!expected) {
    ctx.events.record(live.record, 'ContainerDied', `pid ${proc.pid} exited ${signal ? `with ${signal}` : code === null ? '(status unknown: it was re-adopted after a daemon restart)' : `with code ${code}`}`, { type: code === 0 ? 'Normal' : 'Warning', container: c.name });
    ctx.onContainerExit(live, c.name);
  }
}
