// Init containers (Kubernetes' initContainers): one at a time, in order, each to exit 0, before
// the apps start; in every new sandbox again (kubelet re-runs them after a sandbox recreation),
// never again after a daemon restart once completed. The mechanism starts the first one
// (startPodContainers in create.ts); what follows an exit is decided here, and acted on by the
// supervisor (supervisor.ts), which retries a failed one with back-off unless restartPolicy is Never.
import { initCompleted, initsOf } from './init-status.js';
import type { RestartPolicy } from './plan.js';
import type { PodRecord } from './types.js';

/** An init container is retried on failure unless the pod's policy is Never; one that completed never runs again. */
export const initRestartPolicy = (policy: RestartPolicy): RestartPolicy => (policy === 'Never' ? 'Never' : 'OnFailure');

/**
 * Before the first init container of a (new) sandbox starts: every init container waits
 * (PodInitializing) to run again, and so do the apps in `apps`, which start once the last init
 * container has completed. Returns the first one's name. Counts and last states are kept.
 */
export function beginInit(r: PodRecord, apps: string[]): string {
  const waiting = { state: 'Waiting', reason: 'PodInitializing', message: null, ready: false, pid: null, netns: null, restartAt: null, crashes: 0 } as const;
  for (const c of initsOf(r)) Object.assign(c, waiting);
  for (const c of r.containers) if (apps.includes(c.name)) Object.assign(c, waiting);
  return initsOf(r)[0]!.name;
}

/** What follows the end of init container `name`, once it is not retried: the next init container, the apps, or the pod has failed (restartPolicy Never). */
export function afterInit(r: PodRecord, name: string): { start: string[]; failed: boolean } {
  const inits = initsOf(r);
  const i = inits.findIndex((c) => c.name === name);
  if (!initCompleted(inits[i]!)) return { start: [], failed: true };
  const next = inits.slice(i + 1).find((c) => !initCompleted(c));
  if (next) return { start: next.state === 'Waiting' ? [next.name] : [], failed: false };
  return { start: appsWaiting(r), failed: false };
}

/**
 * After a daemon restart: what the last daemon had to start next and may not have (it died
 * between an exit and the next start). Completed init containers are not run again.
 */
export function resumeInit(r: PodRecord): string[] {
  const inits = initsOf(r);
  const next = inits.find((c) => !initCompleted(c));
  if (!next) return inits.length ? appsWaiting(r) : [];
  return next.state === 'Waiting' && next.reason === 'PodInitializing' ? [next.name] : [];
}

const appsWaiting = (r: PodRecord): string[] => r.containers.filter((c) => c.state === 'Waiting' && c.reason === 'PodInitializing').map((c) => c.name);
