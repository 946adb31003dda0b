// A Deployment as kubectl prints it with `get deployment -o json|yaml|name|jsonpath`: an apps/v1
// object whose metadata the API server would fill (uid, generation, creationTimestamp) and whose
// status counts its pods (lib/deploy/status.ts); several are a List.
import { replicasOf, type DeploymentStatus } from '../../lib/deploy/status.js';
import type { OutputFormat } from './format.js';
import { renderTemplate } from './jsonpath.js';

/** kubectl's two conditions, from the pods' counts (Recreate: available only when every replica is). */
export function deploymentConditions(d: DeploymentStatus): [type: string, status: string, reason: string][] {
  const want = replicasOf(d);
  const { replicas, updatedReplicas, availableReplicas } = d.status;
  const done = updatedReplicas === want && replicas === want && availableReplicas === want;
  return [
    ['Available', availableReplicas >= want ? 'True' : 'False', availableReplicas >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable'],
    ['Progressing', 'True', done ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated'],
  ];
}

export function deploymentObject(d: DeploymentStatus): Record<string, unknown> {
  const { replicas, updatedReplicas, readyReplicas, availableReplicas } = d.status;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...d.manifest.metadata, uid: d.uid, generation: d.generation, creationTimestamp: d.createdAt, ...(d.deletionTimestamp ? { deletionTimestamp: d.deletionTimestamp } : {}) },
    spec: { ...d.manifest.spec, replicas: replicasOf(d) },
    status: { observedGeneration: d.generation, replicas, updatedReplicas, readyReplicas, availableReplicas, conditions: deploymentConditions(d).map(([type, status, reason]) => ({ type, status, reason })) },
  };
}

/** The Deployments in an object format: `single` (get deployment NAME) the one object, else a List, as kubectl. */
export async function formatDeployments(list: DeploymentStatus[], format: Extract<OutputFormat, { kind: 'json' | 'yaml' | 'name' | 'jsonpath' }>, single: boolean): Promise<string> {
  const object = () => (single && list.length === 1 ? deploymentObject(list[0]!) : { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: list.map(deploymentObject) });
  switch (format.kind) {
    case 'json':
      return `${JSON.stringify(object(), null, 4)}\n`;
    case 'yaml':
      return (await import('yaml')).stringify(object());
    case 'name':
      return list.map((d) => `deployment.apps/${d.name}\n`).join('');
    case 'jsonpath':
      return renderTemplate(format.template, object());
  }
}
