// What the CLI verbs share about Deployments: `deployment/NAME` targets, apply with an optional
// wait for every replica to be ready, and kubectl's `get deployments` table.
import type { ApiClient } from '../lib/api/client.js';
import { MinipodError } from '../lib/errors.js';
import { replicasOf, type DeploymentStatus } from '../lib/deploy/status.js';
import { age, usage } from './common.js';
import { KINDS } from './delete-targets.js';

/** `deployment/web`, `deployments/web`, `deploy/web`, `deployment.apps/web` → web; anything else undefined (a pod). */
export function deploymentTarget(arg: string): string | undefined {
  const m = /^([a-z.]+)\/(.*)$/.exec(arg);
  return m && KINDS[m[1]!] === 'deployment' ? m[2] : undefined;
}

/** kubectl's TYPE/NAME, or TYPE NAME given as two arguments, as one TYPE/NAME; both at once is a usage error (`verb`: the command line before them, for the message). */
export function joinedTarget(verb: string, target: string, name: string | undefined): string {
  if (name === undefined) return target;
  if (target.includes('/')) usage(`${verb} ${target} ${name}: give TYPE/NAME or TYPE NAME, not both`);
  return `${target}/${name}`;
}

/** POST the Deployment; with a timeout, wait until every replica is ready. `deployment.apps/web created`. */
export async function applyDeployment(api: ApiClient, manifest: unknown, waitMs?: number): Promise<string> {
  const { result, deployment } = await api.request<{ result: string; deployment: DeploymentStatus }>('POST', '/deployments', manifest);
  if (waitMs) await waitDeployment(api, deployment.name, waitMs);
  return `deployment.apps/${deployment.name} ${result}`;
}

export async function waitDeployment(api: ApiClient, name: string, timeoutMs: number): Promise<DeploymentStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await api.request<DeploymentStatus>('GET', `/deployments/${encodeURIComponent(name)}`);
    const want = replicasOf(d);
    if (d.status.readyReplicas === want && d.status.replicas === want && d.status.updatedReplicas === want) return d;
    if (Date.now() > deadline) {
      throw new MinipodError('UNAVAILABLE', `deployment ${name}: ${d.status.readyReplicas}/${want} pods ready after ${timeoutMs / 1000}s: see \`minipod get pods\` and \`minipod events\``);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Where a rollout stands, in kubectl rollout status's words (its DeploymentStatusViewer's order). */
export function rolloutStatus(d: DeploymentStatus): { done: boolean; message: string } {
  const want = replicasOf(d);
  const { replicas, updatedReplicas: updated, availableReplicas: available } = d.status;
  const waiting = (what: string) => ({ done: false, message: `Waiting for deployment "${d.name}" rollout to finish: ${what}...` });
  if (d.deletionTimestamp) return waiting('it is being deleted');
  if (updated < want) return waiting(`${updated} out of ${want} new replicas have been updated`);
  if (replicas > updated) return waiting(`${replicas - updated} old replicas are pending termination`);
  if (available < updated) return waiting(`${available} of ${updated} updated replicas are available`);
  return { done: true, message: `deployment "${d.name}" successfully rolled out` };
}

/** NAME, READY, UP-TO-DATE, AVAILABLE, AGE, as `kubectl get deployments`. */
export function deploymentRows(list: DeploymentStatus[], now = Date.now()): string[][] {
  return list.map((d) => [d.name, `${d.status.readyReplicas}/${replicasOf(d)}`, String(d.status.updatedReplicas), String(d.status.availableReplicas), age(d.createdAt, now)]);
}
export const DEPLOYMENT_HEAD = ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'];
