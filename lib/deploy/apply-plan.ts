// What an apply makes of a Deployment: the record there is and the manifest given → the next
// record, 'unchanged', or an error saying why not. Pure but for a new uid and the time; the
// controller saves and acts (controller.ts), as pod/plan.ts is decided apart from its doing.
import { isDeepStrictEqual } from 'node:util';
import { nanoid } from 'nanoid';
import { MinipodError } from '../errors.js';
import type { DeploymentManifest } from '../manifest/deployment-spec.js';
import { canonicalJson } from '../manifest/normalize.js';
import { templateHash } from './names.js';
import type { DeploymentRecord } from './store.js';

export function nextRecord(old: DeploymentRecord | undefined, given0: DeploymentManifest): DeploymentRecord | 'unchanged' {
  const name = given0.metadata.name;
  // A `rollout restart` is not undone by an apply of a file that never had it (kubectl apply
  // leaves an annotation its last apply did not set): its time stays, and so do its pods.
  const restartedAt = old?.manifest.spec.template.metadata.annotations?.[RESTARTED_AT];
  const given = restartedAt && !given0.spec.template.metadata.annotations?.[RESTARTED_AT] ? withRestartedAt(given0, restartedAt) : given0;
  if (old?.deletionTimestamp) throw new MinipodError('CONFLICT', `deployment ${name} is being removed: apply it again once \`minipod get deployments\` no longer lists it`);
  // A template that differs only by what canonicalJson leaves out (key order, empty objects) is
  // the old one, kept as it was written: its hash, and so its pods, stay. Replicas left out are
  // what the Deployment has (1 for a new one): an apply after a `scale` keeps it.
  const template = old && canonicalJson(old.manifest.spec.template) === canonicalJson(given.spec.template) ? old.manifest.spec.template : given.spec.template;
  const manifest = { ...given, spec: { ...given.spec, template, replicas: given.spec.replicas ?? old?.manifest.spec.replicas ?? 1 } };
  if (old && canonicalJson(old.manifest) === canonicalJson(manifest)) return 'unchanged';
  // apps/v1's rule: the pods it owns are found by it, so another would leave them running, owned by nothing.
  if (old && !isDeepStrictEqual(old.manifest.spec.selector, manifest.spec.selector)) {
    throw new MinipodError('INVALID_ARGUMENT', `deployment ${name}: spec.selector: Invalid value: ${JSON.stringify(manifest.spec.selector.matchLabels)}: field is immutable (it is ${JSON.stringify(old.manifest.spec.selector.matchLabels)}); to change it, delete the deployment and apply it again`);
  }
  return {
    name,
    uid: old?.uid ?? nanoid(),
    createdAt: old?.createdAt ?? new Date().toISOString(),
    generation: (old?.generation ?? 0) + 1,
    deletionTimestamp: null,
    templateHash: templateHash(manifest.spec.template),
    manifest,
  };
}

/** kubectl rollout restart's annotation on the pod template: a new template, so new pods. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export function withRestartedAt(m: DeploymentManifest, at: string): DeploymentManifest {
  const t = m.spec.template;
  return { ...m, spec: { ...m.spec, template: { ...t, metadata: { ...t.metadata, annotations: { ...t.metadata.annotations, [RESTARTED_AT]: at } } } } };
}
