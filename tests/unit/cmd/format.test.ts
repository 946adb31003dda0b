// CLI formatting: kubectl-style AGE (duration.HumanDuration) and STATUS columns.
import test from 'ava';
import { age } from '../../../cmd/common.js';
import { podRow, podStatus } from '../../../lib/pod/table.js';
import { podObject } from '../../../cmd/output/pod-object.js';
import { validRecord } from '../../helpers/record.js';
import { formatTable } from '../../../cmd/output/pods.js';
import type { ContainerStatus, PodRecord } from '../../../lib/pod/types.js';

const now = Date.parse('2024-06-01T12:00:00.000Z');
const secondsAgo = (s: number) => new Date(now - s * 1000).toISOString();

for (const [seconds, expected] of [
  [0, '0s'],
  [42, '42s'],
  [119, '119s'],
  [120, '2m'],
  [150, '2m30s'],
  [300, '5m'],
  [599, '9m59s'],
  [600, '10m'],
  [7199, '119m'],
  [7200, '120m'],
  [3 * 3600, '3h'],
  [3 * 3600 + 15 * 60, '3h15m'],
  [8 * 3600, '8h'],
  [172_799, '47h'],
  [172_800, '2d'],
  [3 * 86_400 + 4 * 3600, '3d4h'],
  [8 * 86_400 + 4 * 3600, '8d'],
  [30 * 86_400, '30d'],
  [729 * 86_400, '729d'],
  [(2 * 365 + 10) * 86_400, '2y10d'],
  [9 * 365 * 86_400, '9y'],
] as [number, string][]) {
  test(`age of ${seconds}s is ${expected}`, (t) => {
    t.is(age(secondsAgo(seconds), now), expected);
  });
}

test('a time a second ahead (clock skew) is 0s; further ahead <invalid>, none <unknown>, as kubectl', (t) => {
  t.is(age(secondsAgo(-1), now), '0s');
  t.is(age(secondsAgo(-30), now), '<invalid>');
  t.is(age(null, now), '<unknown>');
});

function container(state: ContainerStatus['state'], reason: string | null = null): ContainerStatus {
  return { name: 'c', state, ready: state === 'Running', pid: null, netns: null, restartCount: 0, startedAt: null, finishedAt: null, exitCode: null, signal: null, reason, lastState: null, crashes: 0, restartAt: null, argv: [], logPath: '/dev/null' };
}

/** Only the fields podStatus reads matter; the rest is filler. */
function pod(phase: PodRecord['phase'], containers: ContainerStatus[]): PodRecord {
  const read = { phase, containers, conditions: [], deletionTimestamp: null, manifest: { spec: { restartPolicy: 'Always' } } };
  return read as unknown as PodRecord;
}

test('a pod that is not Running shows its phase', (t) => {
  for (const phase of ['Pending', 'SandboxLost', 'Recreating', 'Terminating'] as const) {
    t.is(podStatus(pod(phase, [container('Terminated', 'Error')])), phase);
  }
  t.is(podStatus(pod('Stopped', [container('Terminated', 'Completed'), container('Terminated', 'Killed')])), 'Stopped', 'minipod stopped one of its containers');
});

test('a pod Stopped because its containers all ended shows how they ended, as kubectl shows a finished pod', (t) => {
  t.is(podStatus(pod('Stopped', [container('Terminated', 'Completed'), container('Terminated', 'Completed')])), 'Completed');
  t.is(podStatus(pod('Stopped', [container('Terminated', 'Error'), container('Terminated', 'Completed')])), 'Error');
  t.is(podStatus(pod('Stopped', [container('Terminated', 'OOMKilled')])), 'OOMKilled');
  const ending = pod('Terminating', [{ ...container('Terminated', 'Completed'), exitCode: 0 }]);
  ending.manifest.spec.restartPolicy = 'Never';
  t.is(podStatus(ending), 'Completed', 'its teardown under way reads as it ended, not Terminating');
  t.is(podStatus({ ...ending, deletionTimestamp: '2024-01-01T00:00:00Z' }), 'Terminating', 'a deletion does read Terminating');
  const initFailed = { ...pod('Stopped', [container('Waiting', 'PodInitializing')]), initContainers: [{ ...container('Terminated', 'Error'), exitCode: 3 }] };
  t.is(podStatus(initFailed), 'Init:Error');
});

test('a Running pod whose containers all run is Running', (t) => {
  t.is(podStatus(pod('Running', [container('Running'), container('Running')])), 'Running');
});

test('a Running pod shows the reason of a container that is not running', (t) => {
  t.is(podStatus(pod('Running', [container('Running'), container('Terminated', 'Error')])), 'Error');
  t.is(podStatus(pod('Running', [container('Terminated', 'Completed'), container('Running')])), 'NotReady', "kubectl's: one completed beside one running is no finished pod");
});

test('without a reason, the container state is shown', (t) => {
  t.is(podStatus(pod('Running', [container('Running'), container('Waiting')])), 'Waiting');
});

test('the first container that is not running decides', (t) => {
  t.is(podStatus(pod('Running', [container('Terminated', 'StartError'), container('Terminated', 'Error')])), 'StartError');
});

test('top: CPU in millicores and memory in MiB, as kubectl top; "-" for a container without figures', async (t) => {
  const { formatCpu, formatMemory } = await import('../../../cmd/commands/top.js');
  t.is(formatCpu(12.4), '12m');
  t.is(formatCpu(0.2), '0m');
  t.is(formatCpu(1000), '1000m');
  t.is(formatMemory(3 * 2 ** 20 + 1000), '3Mi');
  t.is(formatMemory(0), '0Mi');
  t.is(formatCpu(null), '-');
  t.is(formatMemory(null), '-');
});

test('a table of plain cells pads each column to its widest cell (at least 1), three spaces apart, no trailing blanks', async (t) => {
  t.is(await formatTable(['NAME', '', 'AGE'], [['web-1', '', '5m'], ['a', '', '']]), 'NAME        AGE\nweb-1       5m\na\n');
  // Not plain (a wide character): cli-table3 measures its display width.
  t.is(await formatTable(['NAME', 'AGE'], [['日本', '1s']]), 'NAME   AGE\n日本   1s\n');
  t.is(await formatTable(['NAME', 'AGE'], [['web-1', '5m'], ['a', '']], false), 'web-1   5m\na\n', '--no-headers: the rows alone, as wide as they need');
  t.is(await formatTable(['NAME', 'AGE'], [['日本', '1s']], false), '日本   1s\n');
  t.is(await formatTable(['NAME'], [], false), '');
});

test('a pod whose sandbox is being rebuilt shows none ready, in the table as in its object, though its old app still runs', (t) => {
  const r = validRecord('/tmp/state');
  r.phase = 'Recreating';
  t.is(podRow(r, false, 'node1')[1], '0/1');
  const status = (podObject(r, 'node1') as unknown as { status: { containerStatuses: { ready: boolean }[]; conditions: { type: string; status: string }[] } }).status;
  t.false(status.containerStatuses[0]!.ready);
  t.is(status.conditions.find((c) => c.type === 'Ready')!.status, 'False');
  r.phase = 'Running';
  t.is(podRow(r, false, 'node1')[1], '1/1');
});
