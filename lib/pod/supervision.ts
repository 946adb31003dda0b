// The seam between the pod mechanism (create, stop, recover, restore) and whoever decides what to
// do when something dies: the supervisor (lib/supervisor/), or nobody (unsupervised.ts, for a front
// end such as a CRI server whose client decides). The daemon picks one (lib/daemon.ts); the
// mechanism only calls this interface, so lib/pod never loads the supervisor.
import type { LivePod, PodContext } from './live.js';
import type { PodRegistry } from './registry.js';

/** What the mechanism tells whoever decides: the supervisor, or the no-op when it is off. */
export interface Supervision {
  /** The holder died, or the sandbox is no longer the pod's: recover it (or not). */
  sandboxLost(live: LivePod, cause: string): void;
  /** An app exited on its own (not stopped by us). */
  containerExited(live: LivePod, name: string): void;
  /** A container's image is missing: it waits (ErrImageNeverPull) and is tried again later, or not. */
  imageMissing(live: LivePod, name: string): void;
  /** The pod runs again (created, recovered, restored): apps that exited meanwhile are decided. */
  settleExits(live: LivePod): void;
  /** A restored pod: its back-off restarts are armed again from their recorded restartAt. */
  resumeBackoff(live: LivePod): void;
  start(): void;
  /** Daemon shutdown; detach: the pods keep running and what dies from now on is the next daemon's. */
  stop(detach: boolean): void;
}

/** Builds the supervision for a node's pods once their context exists (PodManager's constructor). */
export type SupervisionFactory = (ctx: PodContext, pods: PodRegistry) => Supervision;
