// What `get deployments` shows of a Deployment: kubectl's READY, UP-TO-DATE and AVAILABLE, from
// the pods it owns. Pure.
import type { PodRecord } from '../pod/types.js';
import type { DeploymentRecord } from './store.js';

export interface DeploymentStatus extends DeploymentRecord {
  status: {
    replicas: number; // pods it owns (not being removed)
    updatedReplicas: number; // of those, with the current template
    readyReplicas: number; // every container ready
    availableReplicas: number; // ready (minipod has no minReadySeconds: the same)
    pods: string[];
  };
}

/** A record's replicas: always written by apply; 1 for a record from before they could be left out. */
export const replicasOf = (d: Pick<DeploymentRecord, 'manifest'>): number => d.manifest.spec.replicas ?? 1;

export function deploymentStatus(d: DeploymentRecord, owned: PodRecord[]): DeploymentStatus {
  const live = owned.filter((p) => p.phase !== 'Terminating');
  const ready = live.filter((p) => p.phase === 'Running' && p.containers.every((c) => c.ready));
  return {
    ...d,
    status: {
      replicas: live.length,
      updatedReplicas: live.filter((p) => p.manifest.metadata.labels?.['pod-template-hash'] === d.templateHash).length,
      readyReplicas: ready.length,
      availableReplicas: ready.length,
      pods: live.map((p) => p.name),
    },
  };
}
