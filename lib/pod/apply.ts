// `apply` of a Pod: created if new, left alone if its manifest is the one the pod was made from
// (the record keeps it, validated: minipod's last-applied configuration), else replaced (removed,
// then created again: a pod's spec cannot change in place, as in Kubernetes, where apply of a
// changed Pod spec is refused and users delete and re-create it).
import { MinipodError } from '../errors.js';
import { samePod } from '../manifest/normalize.js';
import type { PodManifest } from '../manifest/pod-spec.js';
import { podKey } from '../manifest/pod-key.js';
import type { PodRecord } from './types.js';

export type PodApplyResult = 'created' | 'configured' | 'unchanged';
export type PodApplyPlan = 'create' | 'unchanged' | 'replace';

/** What apply does, decided from the pod of that name (if any) and the manifest given. */
export function planPodApply(existing: Pick<PodRecord, 'name' | 'manifest' | 'deletionTimestamp'> | undefined, manifest: PodManifest): PodApplyPlan {
  if (!existing) return 'create';
  if (samePod(existing.manifest, manifest)) return 'unchanged';
  const owner = existing.manifest.metadata.ownerReferences?.find((o) => o.controller);
  if (owner) throw new MinipodError('CONFLICT', `pod ${existing.name} is made by ${owner.kind.toLowerCase()}/${owner.name}: change its template and apply the ${owner.kind} instead`);
  if (existing.deletionTimestamp) throw new MinipodError('CONFLICT', `pod ${existing.name} is being removed: apply again once it is gone`);
  return 'replace';
}

/** Each takes the pod's key (key.ts). */
export interface PodApplyOps {
  find(name: string): PodRecord | undefined;
  create(manifest: PodManifest): Promise<PodRecord>;
  /** Stop if running, then remove (rm -f). */
  remove(name: string): Promise<void>;
  inspect(name: string): Promise<PodRecord>;
}

export async function applyPod(ops: PodApplyOps, manifest: PodManifest): Promise<{ result: PodApplyResult; pod: PodRecord }> {
  const name = podKey(manifest.metadata.namespace, manifest.metadata.name);
  switch (planPodApply(ops.find(name), manifest)) {
    case 'create':
      return { result: 'created', pod: await ops.create(manifest) };
    case 'unchanged':
      return { result: 'unchanged', pod: await ops.inspect(name) };
    case 'replace':
      await ops.remove(name);
      return { result: 'configured', pod: await ops.create(manifest) };
  }
}
