// The CLI's Deployment targets and `get deployments` rows, as kubectl writes them.
import test from 'ava';
import { deploymentRows, deploymentTarget } from '../../../cmd/deployments.js';
import type { DeploymentStatus } from '../../../lib/deploy/status.js';

test('deployment/NAME and its kubectl spellings name a Deployment; a bare name is a pod', (t) => {
  for (const arg of ['deployment/web', 'deployments/web', 'deploy/web', 'deployment.apps/web']) t.is(deploymentTarget(arg), 'web');
  t.is(deploymentTarget('web'), undefined);
  t.is(deploymentTarget('web-445dbc7c6c-xt8g6'), undefined);
});

test('a row is NAME, READY ready/wanted, UP-TO-DATE, AVAILABLE, AGE', (t) => {
  const d = { name: 'web', createdAt: '2026-01-01T00:00:00Z', manifest: { spec: { replicas: 3 } }, status: { replicas: 3, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1, pods: [] } } as unknown as DeploymentStatus;
  t.deepEqual(deploymentRows([d], Date.parse('2026-01-01T00:00:42Z')), [['web', '1/3', '2', '1', '42s']]);
});
