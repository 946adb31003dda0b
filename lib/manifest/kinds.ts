// The kinds a manifest may name, and for every other kind a Kubernetes user is likely to write,
// why minipod has no such object and what to write instead (issue 12: never only "unknown field").
import { MinipodError } from '../errors.js';
import type { AnyManifest } from './parse.js';

/** `pod/web`, `deployment.apps/web`: how kubectl names an object in its output. Here, not in documents.ts: the CLI needs it without yaml. */
export function objectName(m: Pick<AnyManifest, 'kind' | 'manifest'>): string {
  return `${m.kind === 'Deployment' ? 'deployment.apps' : 'pod'}/${m.manifest.metadata.name}`;
}

const REMOVE = 'remove this document';

/** Kinds minipod does not have, each with why and what to use instead. */
const UNSUPPORTED_KINDS: Record<string, string> = {
  Service: `pods are reached by their IP or a hostPort (spec.containers[].ports[].hostPort); ${REMOVE}`,
  Ingress: `pods are reached by their IP or a hostPort (spec.containers[].ports[].hostPort); ${REMOVE}`,
  Endpoints: `pods are reached by their IP or a hostPort; ${REMOVE}`,
  ConfigMap: `give the values to the container as spec.containers[].env; ${REMOVE}`,
  Secret: `give the values to the container as spec.containers[].env; ${REMOVE}`,
  Namespace: `a namespace exists as soon as a pod or Deployment names it in metadata.namespace; ${REMOVE}`,
  ServiceAccount: `pods run without API credentials; ${REMOVE}`,
  PersistentVolumeClaim: `minipod has no volumes; ${REMOVE}`,
  PersistentVolume: `minipod has no volumes; ${REMOVE}`,
  ReplicaSet: 'write a Deployment (apps/v1) with the same template: its controller keeps the replicas',
  StatefulSet: 'write a Deployment (apps/v1): its pods have generated names and no volumes of their own',
  DaemonSet: 'minipod is one node: write a Pod, or a Deployment with replicas: 1',
  Job: 'write a Pod with restartPolicy: Never (or OnFailure) and run it with `minipod run -f FILE`',
  CronJob: 'minipod schedules nothing: run a Pod with restartPolicy: Never from cron',
  List: 'a List needs its objects as `items: [...]`, or write each object as its own document, separated by a line `---`',
};

/** kind → apiVersion it must come with, for the kinds minipod takes. */
export const SUPPORTED_KINDS = { Pod: 'v1', Deployment: 'apps/v1' } as const;

/** Why `kind` cannot be used ("Service is not supported by minipod: …"), and what to do instead; `only` the kinds this place takes. */
export function kindRefusal(kind: unknown, only: 'Pod' | 'any' = 'any'): string {
  const shown = typeof kind === 'string' ? kind : JSON.stringify(kind);
  if (only === 'Pod' && kind === 'Deployment') {
    return 'Deployment is not accepted here, only a Pod: apply a Deployment with `minipod apply -f FILE` (its controller makes the pods)';
  }
  const why = typeof kind === 'string' ? UNSUPPORTED_KINDS[kind] : undefined;
  const takes = only === 'Pod' ? 'a Pod (v1)' : 'a Pod (v1) or a Deployment (apps/v1)';
  return why ? `${shown} is not supported by minipod: ${why}` : `${shown} is not supported: minipod takes ${takes}`;
}

/** The error a refused kind gives; `at` names the document ("document 2: "), if any. */
export function kindError(kind: unknown, only: 'Pod' | 'any' = 'any', at = ''): MinipodError {
  const message = `${at}kind: ${kindRefusal(kind, only)}`;
  return new MinipodError('INVALID_ARGUMENT', message, { details: [message] });
}
