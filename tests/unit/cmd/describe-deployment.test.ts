// `describe deployment NAME` (cmd/output/describe-deployment.ts) and what `describe` is asked to
// show (cmd/commands/describe.ts).
import test from 'ava';
import { describeTargets } from '../../../cmd/commands/describe.js';
import { describeDeployment } from '../../../cmd/output/describe-deployment.js';
import { deploymentConditions } from '../../../cmd/output/deployment-object.js';
import { nextRecord } from '../../../lib/deploy/apply-plan.js';
import { deploymentStatus, type DeploymentStatus } from '../../../lib/deploy/status.js';
import type { DeploymentRecord } from '../../../lib/deploy/store.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import type { PodEvent } from '../../../lib/supervisor/events.js';
import { webDeployment } from '../../helpers/deployment.js';

const record = nextRecord(undefined, webDeployment(3, 'web', { containers: [{ name: 'app', image: 'httpd', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }] })) as DeploymentRecord;
const pod = (name: string, hash: string, ready: boolean) =>
  ({ name, namespace: 'default', phase: 'Running', deletionTimestamp: null, containers: [{ ready }], manifest: { metadata: { labels: { app: 'web', 'pod-template-hash': hash } } } }) as unknown as PodRecord;

test('describe deployment: replicas counted as kubectl does, the template, conditions, pods and its own events', (t) => {
  const d: DeploymentStatus = deploymentStatus(record, [pod('web-a', record.templateHash, true), pod('web-b', record.templateHash, false), pod('web-c', 'old', true)]);
  const events: PodEvent[] = [
    { time: '2026-01-01T00:00:00Z', pod: 'deployment/web', podUid: record.uid, type: 'Normal', reason: 'SuccessfulCreate', message: 'created pod web-a' },
    { time: '2026-01-01T00:00:00Z', pod: 'other', podUid: 'x', type: 'Normal', reason: 'Started', message: 'not this one' },
  ];
  const text = describeDeployment(d, events, Date.parse('2026-01-01T00:01:00Z'));
  t.regex(text, /^Name: +web\nNamespace: +default\nCreationTimestamp: +\w{3}, /);
  t.regex(text, /\nSelector: +app=web\n/);
  t.regex(text, /\nReplicas: +3 desired \| 2 updated \| 3 total \| 2 available \| 1 unavailable\n/);
  t.regex(text, /\nStrategyType: +Recreate\n/);
  t.regex(text, /\nPod Template:\n {2}Labels: +app=web\n {2}Containers:\n {3}app:\n {4}Image: +httpd\n {4}Port: +80\/TCP\n {4}Environment: +A=1\n {2}Volumes: +<none>\n/);
  t.regex(text, /\nConditions:\n {2}Type +Status +Reason\n {2}-+ +-+ +-+\n {2}Available +False +MinimumReplicasUnavailable\n {2}Progressing +True +ReplicaSetUpdated\n/);
  t.regex(text, new RegExp(`\\nTemplate Hash: +${record.templateHash} \\(pod-template-hash\\)\\nPods: +web-a\\n +web-b\\n +web-c\\n`));
  t.regex(text, /\nEvents:\n {2}Type +Reason +Age +From +Message\n.*\n {2}Normal +SuccessfulCreate +60s +minipod +created pod web-a\n$/);
  t.false(text.includes('not this one'));
});

test('a rolled out Deployment is Available and Progressing with kubectl\'s reasons', (t) => {
  const d = deploymentStatus(record, ['a', 'b', 'c'].map((n) => pod(n, record.templateHash, true)));
  t.deepEqual(deploymentConditions(d), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'NewReplicaSetAvailable']]);
});

test('describe takes pod NAME, deployment NAME, TYPE/NAME and a bare pod name; a kind alone is every one', (t) => {
  t.deepEqual(describeTargets('web', undefined), { kind: 'pods', names: ['web'] });
  t.deepEqual(describeTargets('pod', 'web'), { kind: 'pods', names: ['web'] });
  t.deepEqual(describeTargets('po/web', undefined), { kind: 'pods', names: ['web'] });
  t.deepEqual(describeTargets('pods', undefined), { kind: 'pods', names: [] });
  for (const [a, b] of [['deployment', 'web'], ['deploy', 'web'], ['deployments.apps', 'web'], ['deploy/web', undefined], ['deployment.apps/web', undefined]] as const) t.deepEqual(describeTargets(a, b), { kind: 'deployments', names: ['web'] });
  t.deepEqual(describeTargets('deployments', undefined), { kind: 'deployments', names: [] });
});
