// When a pod has run its course, Kubernetes' Succeeded or Failed: every app container has ended
// and its restartPolicy starts none again (Never: whatever the exit; OnFailure: exit 0), or an
// init container failed under Never. kubelet then stops the pod's sandbox and releases its IP,
// keeping the pod and its logs; the supervisor does the same (supervisor.ts). Pure.
import { allContainers, initFailed, initsOf, initStatus } from './init-status.js';
import type { PodRecord } from './types.js';

export function podEnded(r: Pick<PodRecord, 'containers' | 'initContainers' | 'manifest'>): 'Succeeded' | 'Failed' | undefined {
  if (initFailed(r)) return 'Failed';
  const policy = r.manifest.spec.restartPolicy;
  if (policy === 'Always') return undefined;
  const final = r.containers.every((c) => c.state === 'Terminated' && !c.restartAt && (policy === 'Never' || c.exitCode === 0));
  if (!final) return undefined;
  return r.containers.every((c) => c.exitCode === 0) ? 'Succeeded' : 'Failed';
}

/** This container has run for the last time: its pod is Stopped, or it ended and nothing starts it again (an init container that completed, or its policy's). */
export function containerEnded(r: Pick<PodRecord, 'phase' | 'containers' | 'initContainers' | 'manifest'>, name: string): boolean {
  if (r.phase === 'Stopped') return true;
  const c = allContainers(r).find((x) => x.name === name);
  if (!c || c.state !== 'Terminated' || c.restartAt) return false;
  const policy = r.manifest.spec.restartPolicy;
  if (initsOf(r).includes(c)) return c.exitCode === 0 || policy === 'Never';
  return policy === 'Never' || (policy === 'OnFailure' && c.exitCode === 0);
}

/** kubectl's STATUS of a Stopped pod: what its containers ended with, when they ended by themselves (Completed, Error, Init:Error); Stopped when minipod stopped one. */
export function stoppedStatus(r: Pick<PodRecord, 'containers' | 'initContainers'>): string {
  const all = allContainers(r);
  if (all.some((c) => c.reason === 'Killed')) return 'Stopped';
  return initStatus(r) ?? r.containers.find((c) => c.state === 'Terminated')?.reason ?? 'Stopped';
}
