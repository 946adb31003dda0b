// Which pods a Deployment owns, and the pods it makes: its uid in their ownerReferences (as a
// ReplicaSet's pods carry it), its selector's labels and a pod-template-hash. Pure.
import { podManifestSchema, type PodManifest } from '../manifest/pod-spec.js';
import { matches, matchLabelsSelector } from '../manifest/selector.js';
import type { PodRecord } from '../pod/types.js';
import type { OwnedPod } from './plan.js';
import type { DeploymentRecord } from './store.js';

/** Made by d: its uid is the pod's Deployment owner. */
const madeBy = (d: DeploymentRecord, pod: PodRecord): boolean => !!pod.manifest.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.uid === d.uid);

/** Does pod belong to d: made by it (owner uid) and still carrying its selector's labels. */
export function ownedBy(d: DeploymentRecord, pod: PodRecord): boolean {
  if (!madeBy(d, pod)) return false;
  const labels = pod.manifest.metadata.labels ?? {};
  return pod.namespace === d.manifest.metadata.namespace && matches(matchLabelsSelector(d.manifest.spec.selector.matchLabels), labels) && 'pod-template-hash' in labels;
}

/** The pod manifest the controller creates: the template, named and labelled, owned by d. */
export function podFromTemplate(d: DeploymentRecord, name: string): PodManifest {
  const { template } = d.manifest.spec;
  return podManifestSchema.parse({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: d.manifest.metadata.namespace,
      labels: { ...template.metadata.labels, 'pod-template-hash': d.templateHash },
      ...(template.metadata.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.name, uid: d.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: template.spec,
  });
}

/** Recreate: a pod of one of d's old templates is still being torn down (its grace period); no new one is made before it is gone. */
export function oldTemplateGoing(d: DeploymentRecord, all: readonly PodRecord[]): boolean {
  return all.some((p) => p.deletionTimestamp && madeBy(d, p) && p.manifest.metadata.labels?.['pod-template-hash'] !== d.templateHash);
}

/** What planDeployment needs of an owned pod. */
export function ownedPod(p: PodRecord): OwnedPod {
  return {
    name: p.name,
    hash: p.manifest.metadata.labels?.['pod-template-hash'] ?? '',
    phase: p.phase,
    ready: p.phase === 'Running' && p.containers.every((c) => c.ready),
    createdAt: p.createdAt,
  };
}
