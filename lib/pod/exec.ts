// Into a running pod: a command in one of its containers (`minipod exec`), or a signal to its
// holder or one of its apps (`minipod kill`, for experiments).
import type { WindowSize } from '../api/frames.js';
import { effectiveSecurity, hostProcessUser } from '../manifest/security.js';
import { MinipodError } from '../errors.js';
import { containerEnv } from '../manifest/command.js';
import { kill } from '../os/host.js';
import { onExit } from '../process/exit.js';
import { stopProcess } from '../process/stop.js';
import type { Proc } from '../os/host.js';
import type { StartedExec } from '../runtime/types.js';
import { containerSpec, podFields } from './containers.js';
import type { LivePod, PodContext } from './live.js';
import type { PodRecord } from './types.js';

export interface ExecOptions {
  /** The container to run in; the pod's first when absent, as kubectl defaults. */
  container?: string | undefined;
  /** A terminal of this size (`exec -t`). */
  tty?: WindowSize | undefined;
}

/** The container an exec runs in: the one named, or the first. Unknown: an error listing them. */
export function execContainer(r: PodRecord, name: string | undefined): string {
  const names = r.containers.map((c) => c.name);
  if (name === undefined) return names[0]!;
  if (!names.includes(name)) throw new MinipodError('NOT_FOUND', `container "${name}" is not in pod ${r.name}: its containers are ${names.join(', ')} (choose one with -c)`);
  return name;
}

/** Run argv in a container of the pod, stdio piped; tracked until it exits, so none outlives its sandbox. */
export async function execInPod(ctx: PodContext, live: LivePod, argv: string[], opts: ExecOptions = {}): Promise<StartedExec> {
  const r = live.record;
  if (r.phase !== 'Running' || !r.sandbox) throw new MinipodError('CONFLICT', `pod ${r.name} is ${r.phase}: exec needs a Running pod`);
  const c = r.containers.find((s) => s.name === execContainer(r, opts.container))!;
  // A container with an image is entered through its own processes, one without through the
  // pod's holder; either must be running, as the CRI has it (an exec in a container that ended
  // would run in a place its app no longer is).
  const containerID = c.containerID ?? null;
  if (c.state !== 'Running') throw new MinipodError('CONFLICT', `container ${c.name} of pod ${r.name} is ${c.state}${c.reason ? ` (${c.reason})` : ''}: exec needs it Running (see \`minipod logs ${r.name} -c ${c.name}\`)`);
  const spec = containerSpec(r, c.name);
  const env = spec.image ? undefined : containerEnv(spec, r.name, undefined, podFields(ctx, r)); // an image's comes from its config.json
  const user = hostProcessUser(effectiveSecurity(r.manifest.spec.securityContext, spec.securityContext));
  const started = await ctx.runtime.exec({ pod: r.name, sandboxPid: r.sandbox.pid, containerID, argv, user, ...(env ? { env } : {}), inPodCgroup: (a) => ctx.node.cgroups.wrap(r.uid, a), ...(opts.tty ? { tty: opts.tty } : {}) });
  const { proc } = started;
  live.execs.add(proc);
  onExit(proc, () => live.execs.delete(proc));
  return { ...started, endedBecause: () => endedBecause.get(proc) };
}

/** Why minipod ended an exec before its command ended: its client is told, with the exit status. */
const endedBecause = new WeakMap<Proc, string>();

/**
 * End the pod's execs (SIGTERM, SIGKILL at once: nothing may keep a sandbox that goes alive), each
 * client told why: a 143 that says nothing reads as the command's own doing.
 */
export function endExecs(live: LivePod, why: string): Promise<unknown> {
  return Promise.all(
    [...live.execs].map((p) => {
      endedBecause.set(p, `minipod: exec ended: ${why}`);
      return stopProcess(p, 0);
    }),
  );
}

export type KillTarget = { sandbox: true } | { container: string };

export function killInPod(ctx: PodContext, live: LivePod, target: KillTarget, signal: NodeJS.Signals): { pid: number; signal: string } {
  const name = live.record.name;
  const proc = 'sandbox' in target ? live.holder : live.apps.get(target.container);
  if ('container' in target && !live.record.containers.some((c) => c.name === target.container)) {
    throw new MinipodError('NOT_FOUND', `container ${target.container} not found in pod ${name}`);
  }
  if (!proc?.pid) throw new MinipodError('CONFLICT', `pod ${name} has no running ${'sandbox' in target ? 'pause holder' : `container ${target.container}`} (${live.record.phase})`);
  const sent = 'sandbox' in target ? kill(proc.pid, signal) : ctx.runtime.signal(proc.pid, signal);
  if (!sent) {
    throw new MinipodError('CONFLICT', `pid ${proc.pid} of pod ${name} exited just now; try again`);
  }
  ctx.events.record(live.record, 'KillRequested', `sent ${signal} to ${'sandbox' in target ? 'pause' : target.container} ${proc.pid}`, { type: 'Warning', ...('container' in target ? { container: target.container } : {}) });
  return { pid: proc.pid, signal };
}
