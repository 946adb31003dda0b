// Into a running pod: a command in its namespaces (`minipod exec`), or a signal to its holder or
// one of its apps (`minipod kill`, for experiments).
import { MinipodError } from '../errors.js';
import { kill, spawnProcess, type Proc } from '../os/host.js';
import { DEFAULT_PATH } from '../manifest/command.js';
import { onExit } from '../process/exit.js';
import { inPodNamespaces } from '../process/nsenter.js';
import type { LivePod, PodContext } from './live.js';

/** Run argv with piped stdio; tracked until it exits, so none outlives its sandbox. */
export function execInPod(ctx: PodContext, live: LivePod, argv: string[]): Proc {
  const r = live.record;
  if (r.phase !== 'Running' || !r.sandbox) throw new MinipodError('CONFLICT', `pod ${r.name} is ${r.phase}: exec needs a Running pod`);
  const proc = spawnProcess(ctx.node.cgroups.wrap(r.uid, inPodNamespaces(r.sandbox.pid, argv)), {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: DEFAULT_PATH, HOSTNAME: r.name, TERM: 'xterm' },
    cwd: '/',
  });
  live.execs.add(proc);
  onExit(proc, () => live.execs.delete(proc));
  return proc;
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
