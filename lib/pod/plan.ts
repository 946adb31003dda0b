// Decide, apart from detecting and acting: pure functions that say what to do when a container
// exits or a sandbox dies (kubelet's computePodActions, in small). Unit-tested without root.
import type { ContainerStatus } from '../pod/types.js';
import type { PodManifest } from '../manifest/pod-spec.js';

export type RestartPolicy = PodManifest['spec']['restartPolicy'];
export type SandboxDeathPolicy = PodManifest['spec']['sandboxDeathPolicy'];

/** Back-off between restarts of a crashing container (Kubernetes: 10 s doubling to 5 min). */
export interface BackoffConfig {
  baseMs: number;
  maxMs: number;
  /** A container that ran this long before exiting starts again from no back-off. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { baseMs: 1000, maxMs: 300_000, resetAfterMs: 60_000 };

export interface ContainerExitPlan {
  restart: boolean;
  delayMs: number;
  /** Crashes in a row counting this one (1 after a run long enough to reset the back-off). */
  crashes: number;
}

/**
 * A container exited on its own. The first restart after a clean run is immediate; each further
 * one in a row waits twice as long, up to the maximum.
 */
export function planContainerExit(
  policy: RestartPolicy,
  exitCode: number | null,
  previousCrashes: number,
  ranMs: number,
  backoff: BackoffConfig = DEFAULT_BACKOFF,
): ContainerExitPlan {
  const crashes = ranMs >= backoff.resetAfterMs ? 1 : previousCrashes + 1;
  const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  const delayMs = crashes <= 1 ? 0 : Math.min(backoff.maxMs, backoff.baseMs * 2 ** (crashes - 2));
  return { restart, delayMs: restart ? delayMs : 0, crashes };
}

/** kubelet's image back-off: a container whose image is missing is tried again after 1 s, 2 s, 4 s… up to the maximum. */
export function imageRetryDelay(attempts: number, backoff: BackoffConfig = DEFAULT_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempts - 1));
}

/** Whether a container belongs in a (new) sandbox, per restart policy and how it last ended. */
export function shouldRun(policy: RestartPolicy, c: Pick<ContainerStatus, 'state' | 'exitCode' | 'restartCount' | 'startedAt'>): boolean {
  if (c.state !== 'Terminated') return true; // running or waiting to restart
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return c.exitCode !== 0;
  return false;
}

type Rebuild = { action: 'recreate'; attempt: number; start: string[] } | { action: 'stop'; reason: string };
export type SandboxPlan = Rebuild | { action: 'rejoin'; attempt: number; via: number; fallback: Rebuild };

/**
 * The sandbox is gone (or changed under the apps). Kubelet: "Pod sandbox changed, it will be
 * killed and re-created", unless restartPolicy is Never and the pod has run. Rejoin (minipod
 * only) puts a new holder into the namespace the apps still keep alive.
 */
export function planSandboxLoss(
  deathPolicy: SandboxDeathPolicy,
  restartPolicy: RestartPolicy,
  attempt: number,
  containers: Pick<ContainerStatus, 'name' | 'state' | 'exitCode' | 'restartCount' | 'startedAt' | 'pid'>[],
  holderAlive: boolean,
): SandboxPlan {
  const start = containers.filter((c) => shouldRun(restartPolicy, c)).map((c) => c.name);
  // Kubelet builds no sandbox for a pod that has nothing left to run.
  const rebuild: Rebuild =
    restartPolicy === 'Never'
      ? { action: 'stop', reason: 'the sandbox is gone and restartPolicy is Never' }
      : start.length === 0
        ? { action: 'stop', reason: 'the sandbox is gone and no container needs to run' }
        : { action: 'recreate', attempt: attempt + 1, start };
  const survivor = containers.find((c) => c.state === 'Running' && c.pid);
  if (deathPolicy === 'Rejoin' && !holderAlive && survivor?.pid) return { action: 'rejoin', attempt: attempt + 1, via: survivor.pid, fallback: rebuild };
  return rebuild;
}

/** What a restarted daemon found of a pod the last one left running, before deciding anything. */
export interface RestoreObservation {
  phase: string; // Running, or SandboxLost/Recreating: a recovery the restart cut short
  holder: { pid: number; ours: boolean }; // ours: same pid, start time and netns as recorded
  veth: { name: string; bridge: string; present: boolean };
  /** ours: a Running container's process is still the recorded one, in the sandbox. */
  containers: (Pick<ContainerStatus, 'name' | 'state' | 'exitCode' | 'restartCount' | 'startedAt'> & { ours: boolean })[];
}

export interface RestorePlan {
  adoptHolder: boolean;
  /** Running containers to watch again, as they run. */
  adopt: string[];
  /** Recorded Running, gone now: they exited while no daemon watched (status unknown). */
  lost: string[];
  /** Terminated, should run again, and no restart pending: the last daemon went first. */
  pending: string[];
  /** The sandbox is verified ours (a process of it is): anything else in it may be stopped. */
  sweep: boolean;
  /** Why the sandbox must be rebuilt, or null if the pod runs on as it was. */
  rebuild: string | null;
}

/** Live restore (containerd's, in small): re-adopt what still runs, decide again what does not. */
export function planRestore(restartPolicy: RestartPolicy, o: RestoreObservation): RestorePlan {
  const running = o.containers.filter((c) => c.state === 'Running');
  const adopt = running.filter((c) => c.ours).map((c) => c.name);
  const rebuild = !o.holder.ours
    ? `pause ${o.holder.pid} died while the daemon was down`
    : !o.veth.present
      ? `host veth ${o.veth.name} is gone from ${o.veth.bridge}`
      : o.phase !== 'Running'
        ? 'its sandbox recovery was cut short by a daemon restart'
        : null;
  return {
    adoptHolder: o.holder.ours,
    adopt,
    lost: running.filter((c) => !c.ours).map((c) => c.name),
    pending: o.containers.filter((c) => c.state === 'Terminated' && shouldRun(restartPolicy, c)).map((c) => c.name),
    sweep: o.holder.ours || adopt.length > 0,
    rebuild,
  };
}
