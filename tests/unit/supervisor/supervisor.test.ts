// The supervisor's restart decisions on fakes (no root, no process started): the pure plan is
// tested in plan.test.ts; here, what the supervisor does with it.
import test, { type ExecutionContext } from 'ava';
import { newLivePod, type LivePod, type PodContext } from '../../../lib/pod/live.js';
import { PodRegistry } from '../../../lib/pod/registry.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { Supervisor } from '../../../lib/supervisor/supervisor.js';
import { validRecord } from '../../helpers/record.js';

interface Fake {
  supervisor: Supervisor;
  live: LivePod;
  events: string[];
  persisted: number;
}

/** A pod whose app just exited with exitCode after running ranMs; restart timers cleared after the test. */
function exited(t: ExecutionContext, policy: PodRecord['manifest']['spec']['restartPolicy'], exitCode: number, crashes: number, ranMs = 10): Fake {
  const fake = { events: [] as string[], persisted: 0 } as Fake;
  const ctx = {
    backoff: { baseMs: 1000, maxMs: 8000, resetAfterMs: 60_000 },
    store: { persist: async () => void fake.persisted++ },
    events: { record: (_r: unknown, reason: string) => void fake.events.push(reason) },
  } as unknown as PodContext;
  const record = validRecord('/state');
  record.manifest.spec.restartPolicy = policy;
  Object.assign(record.containers[0]!, { state: 'Terminated', pid: null, exitCode, crashes, startedAt: new Date(Date.now() - ranMs).toISOString(), finishedAt: new Date().toISOString() });
  fake.live = newLivePod(record);
  fake.supervisor = new Supervisor(ctx, new PodRegistry());
  t.teardown(() => fake.live.restartTimers.forEach((timer) => clearTimeout(timer)));
  return fake;
}

test('restartPolicy Never: the exit is persisted, nothing is restarted (another container runs: the pod goes on)', (t) => {
  const f = exited(t, 'Never', 1, 0);
  f.live.record.containers.push({ ...f.live.record.containers[0]!, name: 'sidecar', state: 'Running', pid: 4321, exitCode: null });
  f.supervisor.containerExited(f.live, 'app');
  t.is(f.live.restartTimers.size, 0);
  t.is(f.persisted, 1);
  t.deepEqual(f.events, []);
});

test('a second crash in a row waits in CrashLoopBackOff, its restart armed for restartAt', (t) => {
  const f = exited(t, 'Always', 1, 1);
  f.supervisor.containerExited(f.live, 'app');
  const c = f.live.record.containers[0]!;
  t.like(c, { state: 'Waiting', reason: 'CrashLoopBackOff', crashes: 2 });
  t.true(Date.parse(c.restartAt!) > Date.now());
  t.true(f.live.restartTimers.has('app'));
  t.deepEqual(f.events, ['BackOff']);
});

test('an exit while the pod is busy (recreating) is decided once it runs again', (t) => {
  const f = exited(t, 'Always', 1, 1);
  f.live.record.phase = 'Recreating';
  f.supervisor.containerExited(f.live, 'app');
  t.deepEqual([...f.live.exitedWhileBusy], ['app']);
  t.is(f.live.restartTimers.size, 0);
  f.live.record.phase = 'Running';
  f.supervisor.settleExits(f.live);
  t.deepEqual([...f.live.exitedWhileBusy], []);
  t.true(f.live.restartTimers.has('app'));
});

test('after a detaching stop, deaths are the next daemon\'s: nothing decided, nothing changed', (t) => {
  const f = exited(t, 'Always', 1, 1);
  f.supervisor.stop(true);
  f.supervisor.containerExited(f.live, 'app');
  f.supervisor.sandboxLost(f.live, 'pause 1234 killed by SIGKILL');
  t.is(f.live.record.phase, 'Running');
  t.is(f.live.restartTimers.size, 0);
  t.is(f.persisted, 0);
});
