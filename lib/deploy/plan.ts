// What a Deployment's controller does next, decided apart from doing it (as pod/plan.ts is for
// restarts): the desired replicas and template against the pods it owns → which to remove and how
// many to make. Pure; unit-tested. Recreate strategy: pods of an old template are all removed.
import type { PodPhase } from '../pod/state.js';
import { byText } from '../util/order.js';

export interface OwnedPod {
  name: string;
  hash: string; // its pod-template-hash label
  phase: PodPhase;
  ready: boolean;
  createdAt: string;
}

export interface DeploymentPlan {
  /** Pod names to remove (force), in this order. */
  remove: string[];
  /** How many new pods of the current template to make (after the removals). */
  create: number;
}

/** Alive, or on its way back (a recovery in progress): counts toward replicas. */
const ACTIVE: readonly PodPhase[] = ['Pending', 'Running', 'SandboxLost', 'Recreating'];

export function planDeployment(replicas: number, hash: string, pods: readonly OwnedPod[]): DeploymentPlan {
  const remove: string[] = [];
  const current: OwnedPod[] = [];
  for (const p of pods) {
    if (p.phase === 'Terminating') continue; // already going; not counted
    if (p.hash !== hash || !ACTIVE.includes(p.phase)) remove.push(p.name); // old template, or stopped: replaced
    else current.push(p);
  }
  // Scale down as a ReplicaSet does: not-ready pods first, then the newest.
  const byKeep = [...current].sort((a, b) => Number(b.ready) - Number(a.ready) || byText(a.createdAt, b.createdAt) || byText(a.name, b.name));
  remove.push(...byKeep.slice(replicas).map((p) => p.name));
  return { remove, create: Math.max(0, replicas - current.length) };
}
