// The registry: pods by name, oldest first, the running logs the rotation checks.
import test from 'ava';
import { newLivePod } from '../../../lib/pod/live.js';
import { PodRegistry } from '../../../lib/pod/registry.js';
import { validRecord } from '../../helpers/record.js';

function pod(name: string, createdAt: string) {
  return newLivePod({ ...validRecord('/state', name), createdAt });
}

test('list is oldest first; an unknown name is NOT_FOUND naming the command that lists pods', (t) => {
  const pods = new PodRegistry();
  pods.add(pod('b', '2024-01-02T00:00:00.000Z'));
  pods.add(pod('a', '2024-01-03T00:00:00.000Z'));
  pods.add(pod('c', '2024-01-01T00:00:00.000Z'));
  t.deepEqual(pods.list().map((r) => r.name), ['c', 'b', 'a']);
  t.throws(() => pods.live('nope'), { code: 'NOT_FOUND', message: /pod nope not found: `minipod ps`/ } as never);
});

test('holds only the very pod registered under its name', (t) => {
  const pods = new PodRegistry();
  const first = pod('web', '2024-01-01T00:00:00.000Z');
  pods.add(first);
  t.true(pods.holds(first));
  pods.delete('web');
  t.false(pods.holds(first));
  pods.add(pod('web', '2024-01-02T00:00:00.000Z'));
  t.false(pods.holds(first));
});

test('runningLogs names the logs of running containers only', (t) => {
  const pods = new PodRegistry();
  const live = pod('web', '2024-01-01T00:00:00.000Z');
  pods.add(live);
  const running = live.record.containers[0]!;
  live.record.containers.push({ ...running, name: 'done', pid: null, logPath: '/state/logs/web/done.log' });
  t.deepEqual(pods.runningLogs(), [running.logPath]);
});
