// rollout status's words (kubectl's DeploymentStatusViewer), --timeout, and the pod that logs,
// exec and port-forward pick for deployment/NAME (cmd/pod-target.ts).
import test from 'ava';
import { rolloutStatus } from '../../../cmd/deployments.js';
import { pickPod, podRef } from '../../../cmd/pod-target.js';
import type { DeploymentStatus } from '../../../lib/deploy/status.js';
import type { PodRecord } from '../../../lib/pod/types.js';

const d = (replicas: number, status: Partial<DeploymentStatus['status']>, deletionTimestamp: string | null = null) =>
  ({ name: 'web', deletionTimestamp, manifest: { spec: { replicas } }, status: { replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, pods: [], ...status } }) as unknown as DeploymentStatus;

test('rollout status: updated first, then old pods gone, then available; done says so', (t) => {
  const wait = (what: string) => ({ done: false, message: `Waiting for deployment "web" rollout to finish: ${what}...` });
  t.deepEqual(rolloutStatus(d(3, { replicas: 0, updatedReplicas: 0 })), wait('0 out of 3 new replicas have been updated'));
  t.deepEqual(rolloutStatus(d(3, { replicas: 4, updatedReplicas: 3, availableReplicas: 3 })), wait('1 old replicas are pending termination'));
  t.deepEqual(rolloutStatus(d(3, { replicas: 3, updatedReplicas: 3, availableReplicas: 1 })), wait('1 of 3 updated replicas are available'));
  t.deepEqual(rolloutStatus(d(3, { replicas: 3, updatedReplicas: 3, availableReplicas: 3 })), { done: true, message: 'deployment "web" successfully rolled out' });
  t.true(rolloutStatus(d(0, {})).done, 'scaled to 0: nothing to wait for');
  t.false(rolloutStatus(d(1, { replicas: 1, updatedReplicas: 1, availableReplicas: 1 }, '2026-01-01T00:00:00Z')).done, 'one being removed is not rolled out');
});

test('logs, exec and port-forward take NAME, pod/NAME and deployment/NAME', (t) => {
  t.deepEqual(podRef('logs', 'web'), { pod: 'web' });
  for (const arg of ['pod/web', 'pods/web', 'po/web']) t.deepEqual(podRef('logs', arg), { pod: 'web' });
  for (const arg of ['deploy/web', 'deployment/web', 'deployments/web', 'deployment.apps/web', 'deployments.apps/web']) t.deepEqual(podRef('exec', arg), { deployment: 'web' });
  // Another kind (svc/web, pod/, deploy/) is a usage error, exit 2: tests/integration/deployments.test.ts.
});

test("a Deployment's pod is picked as kubectl picks it: running, then ready, then restarts (logs: most; exec: fewest), then the oldest", (t) => {
  const pod = (name: string, phase: string, ready: boolean, createdAt: string, restartCount = 0) =>
    ({ name, phase, createdAt, containers: [{ ready, restartCount, state: 'Running' }], manifest: { spec: { restartPolicy: 'Always' } } }) as unknown as PodRecord;
  const old = '2026-01-01T00:00:00Z';
  const young = '2026-01-02T00:00:00Z';
  for (const forLogs of [true, false]) {
    t.is(pickPod([pod('a', 'Pending', false, old), pod('b', 'Running', false, young)], forLogs)?.name, 'b');
    t.is(pickPod([pod('a', 'Running', false, old), pod('b', 'Running', true, young)], forLogs)?.name, 'b');
    t.is(pickPod([pod('a', 'Running', true, young), pod('b', 'Running', true, old)], forLogs)?.name, 'b');
    t.is(pickPod([pod('a', 'Recreating', true, old), pod('b', 'Running', true, young)], forLogs)?.name, 'b', 'a sandbox being rebuilt: running, not ready');
    t.is(pickPod([], forLogs), undefined);
  }
  const crashed = [pod('calm', 'Running', true, old, 0), pod('crashy', 'Running', true, young, 3)];
  t.is(pickPod(crashed, true)?.name, 'crashy', 'logs: the one that restarted most');
  t.is(pickPod(crashed, false)?.name, 'calm', 'exec: the most settled');
});
