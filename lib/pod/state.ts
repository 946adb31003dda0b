// The pod lifecycle, the one state machine every operation goes through.
//
//   Pending ──► Running ──► Terminating ──► Stopped ──► (removed)
//                               ⟲ (retried)
//      │           │  ▲          ▲
//      │           ▼  │          │
//      │      SandboxLost ─► Recreating     (SandboxLost ─► Running: Rejoin)
//      ▼
//   (rolled back)            any state ──► Terminating (rm -f)
//
// Pending is persisted before the first kernel object exists, so a crash mid-create is
// recoverable. SandboxLost/Recreating belong to sandbox recovery (the holder died).
import { MinipodError } from '../errors.js';

export type PodPhase = 'Pending' | 'Running' | 'SandboxLost' | 'Recreating' | 'Terminating' | 'Stopped';

const allowed: Record<PodPhase, readonly PodPhase[]> = {
  Pending: ['Running', 'Terminating'],
  Running: ['SandboxLost', 'Terminating'],
  SandboxLost: ['Recreating', 'Running', 'Terminating'], // Running: a new holder rejoined
  Recreating: ['Running', 'SandboxLost', 'Terminating'],
  Terminating: ['Terminating', 'Stopped'], // a teardown cut short is run again (deletes are idempotent)
  Stopped: ['Terminating'],
};

export function canTransition(from: PodPhase, to: PodPhase): boolean {
  return allowed[from].includes(to);
}

export function assertTransition(name: string, from: PodPhase, to: PodPhase): void {
  if (!canTransition(from, to)) {
    throw new MinipodError('CONFLICT', `pod ${name} is ${from}: cannot go to ${to}`);
  }
}

/** The one way a pod's phase changes. */
export function setPhase(pod: { name: string; phase: PodPhase }, to: PodPhase): void {
  assertTransition(pod.name, pod.phase, to);
  pod.phase = to;
}

/** A pod can be removed without --force only when nothing of it runs. */
export function canRemove(phase: PodPhase): boolean {
  return phase === 'Stopped';
}
