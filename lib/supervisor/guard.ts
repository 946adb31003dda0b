// The split-brain guard: every app must share its holder's network namespace. A holder that is
// no longer in the pod's namespace (what podman leaves behind when its infra container is
// replaced) is a lost sandbox. An app that left it (it unshared or setns'd itself away) is that
// app's failure: it is killed and restarted per restartPolicy, with back-off, so an app that
// keeps leaving cannot make the pod rebuild its sandbox over and over.
import { allContainers } from '../pod/init-status.js';
import type { LivePod, PodContext } from '../pod/live.js';
import { setPhase } from '../pod/state.js';
import { isSameProcess } from '../process/identity.js';
import { signalGroup } from '../process/stop.js';
import { readNamespace } from '../process/namespace.js';

export async function checkNamespaces(ctx: PodContext, pods: Iterable<LivePod>, sandboxLost: (live: LivePod, cause: string) => void): Promise<void> {
  for (const live of pods) {
    const r = live.record;
    if (r.phase !== 'Running' || !r.sandbox || !live.holder) continue;
    const holderNs = await readNamespace(live.holder.pid!);
    if (!holderNs) continue; // it just died: its exit event starts the recovery
    for (const [name, proc] of live.apps) {
      // Only an app whose start is done (its startTime is recorded once nsenter has joined) and
      // that is still that very process: one being started is briefly outside, a pid may be reused.
      const c = allContainers(r).find((s) => s.name === name); // an init container too
      if (!c || !(await isSameProcess(proc.pid!, c.startTime))) continue;
      const netns = await readNamespace(proc.pid!);
      if (!netns || netns === r.sandbox.netns || r.phase !== 'Running') continue;
      const message = `container ${name} (pid ${proc.pid}) is in ${netns}, its pause holder in ${holderNs ?? r.sandbox.netns}`;
      if (holderNs === r.sandbox.netns) {
        ctx.events.record(r, 'NetnsMismatch', `${message}: the container left the pod's network namespace; killing it (restarted per restartPolicy)`, { type: 'Warning', container: name });
        signalGroup(proc.pid!, 'SIGKILL');
        continue;
      }
      ctx.events.record(r, 'NetnsMismatch', message, { type: 'Warning', container: name });
      setPhase(r, 'SandboxLost');
      r.conditions = [{ type: 'NetnsMismatch', message, since: new Date().toISOString() }];
      sandboxLost(live, `NetnsMismatch: ${message}`);
      break;
    }
  }
}
