// Where a pod's init containers stand, read from its record alone: what STATUS, `run`'s wait
// and the Pod object show (kubectl's printPod), and what lib/pod/init.ts decides from. No
// imports beyond types: the CLI loads it.
import type { ContainerStatus, PodRecord } from './types.js';

/** The init containers, in order; none for a pod without them (or an older record). */
export const initsOf = (r: Pick<PodRecord, 'initContainers'>): ContainerStatus[] => r.initContainers ?? [];

/** Every container of the pod, init containers first. */
export const allContainers = (r: Pick<PodRecord, 'containers' | 'initContainers'>): ContainerStatus[] => [...initsOf(r), ...r.containers];

export const isInit = (r: Pick<PodRecord, 'initContainers'>, name: string): boolean => initsOf(r).some((c) => c.name === name);

/** Exited 0: done, never run again in this sandbox (nor after a daemon restart). */
export const initCompleted = (c: ContainerStatus): boolean => c.state === 'Terminated' && c.exitCode === 0;

/** Every init container has completed: the apps may run (true for a pod without any). */
export const initialized = (r: Pick<PodRecord, 'initContainers'>): boolean => initsOf(r).every(initCompleted);

/** Under restartPolicy Never an init container that failed fails the pod for good (Kubernetes' phase Failed). */
export function initFailed(r: Pick<PodRecord, 'initContainers' | 'manifest'>): ContainerStatus | undefined {
  if (r.manifest.spec.restartPolicy !== 'Never') return undefined;
  return initsOf(r).find((c) => c.state === 'Terminated' && c.exitCode !== 0);
}

/**
 * kubectl's STATUS while the pod initializes: `Init:Error` (or the reason) for one that failed,
 * `Init:CrashLoopBackOff` for one waiting to be retried, else `Init:I/N` with I completed; undefined once every one has completed.
 */
export function initStatus(r: Pick<PodRecord, 'initContainers'>): string | undefined {
  const inits = initsOf(r);
  for (const [i, c] of inits.entries()) {
    if (initCompleted(c)) continue;
    if (c.state === 'Terminated') return `Init:${c.reason ?? (c.signal ? `Signal:${c.signal}` : `ExitCode:${c.exitCode}`)}`;
    if (c.state === 'Waiting' && c.reason && c.reason !== 'PodInitializing') return `Init:${c.reason}`;
    return `Init:${i}/${inits.length}`;
  }
  return undefined;
}
