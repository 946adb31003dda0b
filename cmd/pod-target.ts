// The pod that `logs`, `exec` and `port-forward` are given, named as kubectl names it: NAME,
// pod/NAME (po, pods), or deployment/NAME (deploy, deployments, deployment.apps, …), which stands
// for one of the Deployment's pods, the one kubectl would pick (logs says which on stderr).
import type { ApiClient } from '../lib/api/client.js';
import type { PodList } from '../lib/api/protocol.js';
import { replicasOf, type DeploymentStatus } from '../lib/deploy/status.js';
import { MinipodError } from '../lib/errors.js';
import type { PodRecord } from '../lib/pod/types.js';
import { usage } from './common.js';
import { KINDS } from './delete-targets.js';
import { kubernetesPhase } from './output/pod-object.js';
import { allContainers } from '../lib/pod/init-status.js';
import { sandboxDown } from '../lib/pod/table.js';

export type PodRef = { pod: string } | { deployment: string };

/** What the argument names, checked before any request: another TYPE/ is a usage error. */
export function podRef(verb: string, arg: string): PodRef {
  const slash = /^([a-z.]+)\/(.*)$/.exec(arg);
  const kind = slash ? KINDS[slash[1]!] : 'pod';
  const name = slash ? slash[2] : arg;
  if (!kind || !name) usage(`${verb} ${arg}: give a pod (NAME or pod/NAME) or a Deployment (deployment/NAME); minipod has no other kinds`);
  return kind === 'deployment' ? { deployment: name } : { pod: name };
}

/**
 * kubectl's choice among a controller's pods: running (a sandbox being rebuilt counts, as its
 * phase is still Running), then ready, then, for logs (its ByLogging), the most restarts, for
 * exec and port-forward (the most active) the fewest; then the oldest.
 */
export function pickPod(pods: readonly PodRecord[], forLogs: boolean): PodRecord | undefined {
  const restarts = (p: PodRecord) => allContainers(p).reduce((n, c) => n + c.restartCount, 0);
  const rank = (p: PodRecord) => (kubernetesPhase(p) === 'Running' ? 0 : 2) + (!sandboxDown(p) && p.containers.every((c) => c.ready) ? 0 : 1);
  const byRestarts = (a: PodRecord, b: PodRecord) => (forLogs ? restarts(b) - restarts(a) : restarts(a) - restarts(b));
  return [...pods].sort((a, b) => rank(a) - rank(b) || byRestarts(a, b) || Date.parse(a.createdAt) - Date.parse(b.createdAt))[0];
}

/** The pod's name; for a Deployment, the pod picked (for logs, with kubectl's `Found 2 pods, using pod/NAME` when it had a choice). */
export async function podNameOf(api: ApiClient, ref: PodRef, forLogs = false): Promise<string> {
  if ('pod' in ref) return ref.pod;
  const d = await api.request<DeploymentStatus>('GET', `/deployments/${encodeURIComponent(ref.deployment)}`);
  const owned = new Set(d.status.pods);
  const pods = (await api.request<PodList>('GET', '/pods')).pods.filter((p) => owned.has(p.name));
  const pod = pickPod(pods, forLogs);
  if (!pod) throw new MinipodError('NOT_FOUND', `deployment ${d.name} has no pods (replicas ${replicasOf(d)}): see \`minipod get deployment ${d.name}\` and \`minipod events\``);
  if (forLogs && pods.length > 1) process.stderr.write(`Found ${pods.length} pods, using pod/${pod.name}\n`);
  return pod.name;
}
