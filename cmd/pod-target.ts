// The pod that `logs`, `exec` and `port-forward` are given, named as kubectl names it: NAME,
// pod/NAME (po, pods), or deployment/NAME (deploy, deployments, deployment.apps), which stands for
// one of the Deployment's pods, the one kubectl would pick, said on stderr.
import type { ApiClient } from '../lib/api/client.js';
import type { PodList } from '../lib/api/protocol.js';
import { replicasOf, type DeploymentStatus } from '../lib/deploy/status.js';
import { MinipodError } from '../lib/errors.js';
import type { PodRecord } from '../lib/pod/types.js';
import { usage } from './common.js';
import { deploymentTarget } from './deployments.js';

export type PodRef = { pod: string } | { deployment: string };

/** What the argument names, checked before any request: another TYPE/ is a usage error. */
export function podRef(verb: string, arg: string): PodRef {
  const deployment = deploymentTarget(arg);
  const pod = /^(?:pod|pods|po)\/(.*)$/.exec(arg)?.[1] ?? (arg.includes('/') ? undefined : arg);
  const name = deployment ?? pod;
  if (!name) usage(`${verb} ${arg}: give a pod (NAME or pod/NAME) or a Deployment (deployment/NAME); minipod has no other kinds`);
  return deployment !== undefined ? { deployment } : { pod: name };
}

/** kubectl's choice among a controller's pods (its ByLogging order, in short): running, then ready, then the oldest. */
export function pickPod(pods: readonly PodRecord[]): PodRecord | undefined {
  const rank = (p: PodRecord) => (p.phase === 'Running' ? 0 : 2) + (p.containers.every((c) => c.ready) ? 0 : 1);
  return [...pods].sort((a, b) => rank(a) - rank(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt))[0];
}

/** The pod's name; for a Deployment, the pod picked, with kubectl's `Found 2 pods, using pod/NAME` when it had a choice. */
export async function podNameOf(api: ApiClient, ref: PodRef): Promise<string> {
  if ('pod' in ref) return ref.pod;
  const d = await api.request<DeploymentStatus>('GET', `/deployments/${encodeURIComponent(ref.deployment)}`);
  const owned = new Set(d.status.pods);
  const pods = (await api.request<PodList>('GET', '/pods')).pods.filter((p) => owned.has(p.name));
  const pod = pickPod(pods);
  if (!pod) throw new MinipodError('NOT_FOUND', `deployment ${d.name} has no pods (replicas ${replicasOf(d)}): see \`minipod get deployment ${d.name}\` and \`minipod events\``);
  if (pods.length > 1) process.stderr.write(`Found ${pods.length} pods, using pod/${pod.name}\n`);
  return pod.name;
}
