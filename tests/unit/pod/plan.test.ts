// The supervisor's pure decisions: restart a container that exited? after how long? and what to
// do with a pod whose sandbox died.
import test from 'ava';
import { DEFAULT_BACKOFF, planContainerExit, planRestore, planSandboxLoss, shouldRun, type BackoffConfig, type RestoreObservation } from '../../../lib/pod/plan.js';
import type { ContainerStatus } from '../../../lib/pod/types.js';

const backoff: BackoffConfig = { baseMs: 10, maxMs: 80, resetAfterMs: 1000 };
const brief = 5; // ms: a run far shorter than resetAfterMs

type Seen = Pick<ContainerStatus, 'name' | 'state' | 'exitCode' | 'restartCount' | 'startedAt' | 'pid'>;

function running(name: string, pid: number | null = 100): Seen {
  return { name, state: 'Running', exitCode: null, restartCount: 0, startedAt: '2024-01-01T00:00:00.000Z', pid };
}
function waiting(name: string): Seen {
  return { name, state: 'Waiting', exitCode: null, restartCount: 1, startedAt: null, pid: null };
}
function terminated(name: string, exitCode: number | null): Seen {
  return { name, state: 'Terminated', exitCode, restartCount: 0, startedAt: '2024-01-01T00:00:00.000Z', pid: null };
}

// planContainerExit: whether to restart

test('Always restarts after exit 0 and after a failure', (t) => {
  t.true(planContainerExit('Always', 0, 0, brief, backoff).restart);
  t.true(planContainerExit('Always', 1, 0, brief, backoff).restart);
  t.true(planContainerExit('Always', null, 0, brief, backoff).restart);
});

test('OnFailure restarts on a non-zero exit or a signal, not on exit 0', (t) => {
  t.false(planContainerExit('OnFailure', 0, 0, brief, backoff).restart);
  t.true(planContainerExit('OnFailure', 2, 0, brief, backoff).restart);
  t.true(planContainerExit('OnFailure', null, 0, brief, backoff).restart);
});

test('Never never restarts', (t) => {
  for (const code of [0, 1, null]) t.false(planContainerExit('Never', code, 0, brief, backoff).restart);
});

// planContainerExit: back-off

test('the first crash after a clean start restarts at once', (t) => {
  t.deepEqual(planContainerExit('Always', 1, 0, brief, backoff), { restart: true, delayMs: 0, crashes: 1 });
});

test('crashes in a row wait base, 2×base, 4×base … up to the maximum', (t) => {
  const delays: number[] = [];
  let crashes = 0;
  for (let i = 0; i < 7; i++) {
    const plan = planContainerExit('Always', 1, crashes, brief, backoff);
    t.is(plan.crashes, crashes + 1);
    delays.push(plan.delayMs);
    crashes = plan.crashes;
  }
  t.deepEqual(delays, [0, 10, 20, 40, 80, 80, 80]);
});

test('a very long crash loop stays at the maximum delay', (t) => {
  t.is(planContainerExit('Always', 1, 10_000, brief, backoff).delayMs, backoff.maxMs);
});

test('a run at least resetAfterMs long starts the back-off over', (t) => {
  t.deepEqual(planContainerExit('Always', 1, 6, backoff.resetAfterMs, backoff), { restart: true, delayMs: 0, crashes: 1 });
  t.deepEqual(planContainerExit('Always', 1, 6, backoff.resetAfterMs + 1, backoff), { restart: true, delayMs: 0, crashes: 1 });
});

test('a run just under resetAfterMs keeps counting', (t) => {
  t.deepEqual(planContainerExit('Always', 1, 2, backoff.resetAfterMs - 1, backoff), { restart: true, delayMs: 20, crashes: 3 });
});

test('no restart means no delay', (t) => {
  t.is(planContainerExit('Never', 1, 4, brief, backoff).delayMs, 0);
  t.is(planContainerExit('OnFailure', 0, 4, brief, backoff).delayMs, 0);
});

test('the default back-off starts at 1 s and caps at 5 min', (t) => {
  t.is(DEFAULT_BACKOFF.baseMs, 1000);
  t.is(DEFAULT_BACKOFF.maxMs, 300_000);
  t.is(planContainerExit('Always', 1, 1, 0).delayMs, 1000);
  t.is(planContainerExit('Always', 1, 100, 0).delayMs, 300_000);
});

// shouldRun

test('running and waiting containers always belong in a sandbox', (t) => {
  for (const policy of ['Always', 'OnFailure', 'Never'] as const) {
    t.true(shouldRun(policy, running('a')));
    t.true(shouldRun(policy, waiting('a')));
  }
});

test('a terminated container runs again per restart policy', (t) => {
  t.true(shouldRun('Always', terminated('a', 0)));
  t.true(shouldRun('Always', terminated('a', 1)));
  t.false(shouldRun('OnFailure', terminated('a', 0)));
  t.true(shouldRun('OnFailure', terminated('a', 1)));
  t.true(shouldRun('OnFailure', terminated('a', null)));
  t.false(shouldRun('Never', terminated('a', 1)));
  t.false(shouldRun('Never', terminated('a', 0)));
});

// planSandboxLoss

test('Recreate makes a new sandbox with attempt+1 and the containers that should run, in order', (t) => {
  const containers = [terminated('done', 0), running('web'), terminated('failed', 3), waiting('looping')];
  t.deepEqual(planSandboxLoss('Recreate', 'OnFailure', 2, containers, false), { action: 'recreate', attempt: 3, start: ['web', 'failed', 'looping'] });
  t.deepEqual(planSandboxLoss('Recreate', 'Always', 0, containers, false), { action: 'recreate', attempt: 1, start: ['done', 'web', 'failed', 'looping'] });
});

test('Recreate ignores surviving apps: they are restarted in the new sandbox', (t) => {
  t.deepEqual(planSandboxLoss('Recreate', 'Always', 0, [running('web', 42)], false), { action: 'recreate', attempt: 1, start: ['web'] });
});

test('restartPolicy Never stops the pod, with a reason', (t) => {
  const plan = planSandboxLoss('Recreate', 'Never', 0, [running('web')], false);
  t.is(plan.action, 'stop');
  t.true(plan.action === 'stop' && plan.reason.length > 0);
});

test('Rejoin with a running app and a dead holder rejoins via its pid, recreate list as fallback', (t) => {
  const containers = [terminated('done', 0), running('web', 4242), running('api', 4343)];
  t.deepEqual(planSandboxLoss('Rejoin', 'OnFailure', 1, containers, false), { action: 'rejoin', attempt: 2, via: 4242, fallback: { action: 'recreate', attempt: 2, start: ['web', 'api'] } });
});

test('Rejoin skips a running app without a pid', (t) => {
  const plan = planSandboxLoss('Rejoin', 'Always', 0, [running('starting', null), running('web', 77)], false);
  t.like(plan, { action: 'rejoin', via: 77 });
});

test('Rejoin with the holder still alive (split brain) recreates instead', (t) => {
  t.deepEqual(planSandboxLoss('Rejoin', 'Always', 0, [running('web', 4242)], true), { action: 'recreate', attempt: 1, start: ['web'] });
});

test('Rejoin with no running app falls back to recreate', (t) => {
  const containers = [terminated('web', 1), waiting('api'), running('nopid', null)];
  t.deepEqual(planSandboxLoss('Rejoin', 'Always', 4, containers, false), { action: 'recreate', attempt: 5, start: ['web', 'api', 'nopid'] });
});

test('Rejoin with no running app and restartPolicy Never stops', (t) => {
  t.like(planSandboxLoss('Rejoin', 'Never', 0, [terminated('web', 1)], false), { action: 'stop' });
});

test('Rejoin under restartPolicy Never falls back to stopping, never to restarting apps', (t) => {
  const plan = planSandboxLoss('Rejoin', 'Never', 0, [running('web', 4242)], false);
  t.like(plan, { action: 'rejoin', via: 4242, fallback: { action: 'stop' } });
});

test('no sandbox is rebuilt for a pod with nothing left to run', (t) => {
  const done = { name: 'job', state: 'Terminated' as const, exitCode: 0, restartCount: 0, startedAt: 'x', pid: null };
  t.like(planSandboxLoss('Recreate', 'OnFailure', 0, [done], false), { action: 'stop', reason: 'the sandbox is gone and no container needs to run' });
});

// Live restore: what a restarted daemon does with a pod the last one left running.

function found(overrides: Partial<RestoreObservation> = {}, containers: RestoreObservation['containers'] = [{ ...running('app'), ours: true }]): RestoreObservation {
  return { phase: 'Running', holder: { pid: 7, ours: true }, veth: { name: 'mpabc', bridge: 'minipod0', present: true }, containers, ...overrides };
}

test('restore: everything still ours is adopted as it runs, and nothing is rebuilt', (t) => {
  const plan = planRestore('Always', found({}, [{ ...running('a'), ours: true }, { ...running('b'), ours: true }]));
  t.deepEqual(plan, { adoptHolder: true, adopt: ['a', 'b'], lost: [], pending: [], sweep: true, rebuild: null });
});

test('restore: an app that died while no daemon ran is lost (decided again), the others adopted', (t) => {
  const plan = planRestore('Always', found({}, [{ ...running('a'), ours: false }, { ...running('b'), ours: true }]));
  t.deepEqual([plan.adopt, plan.lost, plan.rebuild], [['b'], ['a'], null]);
});

test('restore: a dead holder means a new sandbox; surviving apps are still adopted (so the recovery stops them)', (t) => {
  const plan = planRestore('Always', found({ holder: { pid: 7, ours: false } }));
  t.false(plan.adoptHolder);
  t.deepEqual(plan.adopt, ['app']);
  t.true(plan.sweep, 'the namespace is verified through the app');
  t.is(plan.rebuild, 'pause 7 died while the daemon was down');
});

test('restore: nothing of the sandbox is ours: nothing is swept (its inode may be anyone\'s now)', (t) => {
  const plan = planRestore('Always', found({ holder: { pid: 7, ours: false } }, [{ ...running('app'), ours: false }]));
  t.false(plan.sweep);
  t.deepEqual(plan.lost, ['app']);
});

test('restore: a missing veth means a new sandbox, though the holder lives', (t) => {
  const plan = planRestore('Always', found({ veth: { name: 'mpabc', bridge: 'minipod0', present: false } }));
  t.true(plan.adoptHolder);
  t.is(plan.rebuild, 'host veth mpabc is gone from minipod0');
});

test('restore: a recovery cut short by the restart is finished with a new sandbox', (t) => {
  t.is(planRestore('Always', found({ phase: 'Recreating' })).rebuild, 'its sandbox recovery was cut short by a daemon restart');
  t.is(planRestore('Always', found({ phase: 'SandboxLost' })).rebuild, 'its sandbox recovery was cut short by a daemon restart');
});

test('restore: a terminated app whose restart never came is pending, per restart policy', (t) => {
  const apps = [{ ...terminated('failed', 1), ours: false }, { ...terminated('done', 0), ours: false }];
  t.deepEqual(planRestore('Always', found({}, apps)).pending, ['failed', 'done']);
  t.deepEqual(planRestore('OnFailure', found({}, apps)).pending, ['failed']);
  t.deepEqual(planRestore('Never', found({}, apps)).pending, []);
});

test('restore: an app waiting in back-off is neither adopted, lost nor pending (its timer is re-armed)', (t) => {
  const plan = planRestore('Always', found({}, [{ ...waiting('app'), ours: false }]));
  t.deepEqual([plan.adopt, plan.lost, plan.pending], [[], [], []]);
});
