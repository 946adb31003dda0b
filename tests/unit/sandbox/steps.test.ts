// Steps (lib/sandbox/steps.ts): in sequence or side by side; the first step that fails is the one
// named, a side step not begun by then never begins, each step's time is kept, and the failpoint
// `<verb>/<step>` fails a step after it ran. Failpoint tests are serial: the armed set is global.
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { armFailpoints } from '../../../lib/failpoints.js';
import { Steps } from '../../../lib/sandbox/steps.js';

/** A promise the test settles when it chooses. */
function gate<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('all returns every branch\'s value, in the order given', async (t) => {
  const steps = new Steps('create');
  const values = await steps.all([steps.run('allocate IP', async () => '10.88.0.2'), steps.run('start pause holder', async () => 1234)] as const);
  t.deepEqual(values, ['10.88.0.2', 1234]);
});

test('all rejects with the error of the step that failed first, and only once every branch settled', async (t) => {
  const steps = new Steps('create');
  const veth = gate();
  const lease = gate();
  const cgroup = gate<string>();
  let settled = false;
  const outcome = steps
    .all([steps.run('create veth', () => veth.promise), steps.run('allocate IP', () => lease.promise), steps.run('create cgroup', () => cgroup.promise)] as const)
    .then(
      () => undefined,
      (err: Error) => err,
    )
    .finally(() => (settled = true));

  lease.reject(new Error('no free address'));
  await tick();
  t.false(settled, 'two branches still running');
  veth.reject(new Error('File exists')); // first in the list, but failed second
  await tick();
  t.false(settled, 'one branch still running');
  cgroup.resolve('made');
  const err = await outcome;
  t.true(settled);
  t.is(err?.message, 'no free address');
  t.is(steps.current, 'allocate IP');
});

// Two ways a create is over before a side step begins: a step failed, or the create was stopped.
const over: [string, (steps: Steps) => Promise<void>, string, string][] = [
  ['another step failed', async (steps) => void (await steps.run('allocate IP', async () => {
    throw new Error('no free address');
  }).catch(() => {})), 'allocate IP', 'the step not begun is not the one named'],
  ['the create was stopped', async (steps) => {
    steps.begin('resolve commands');
    steps.stop();
  }, 'resolve commands', 'a step stopped before it began is never the one named'],
];

for (const [why, end, named, message] of over) {
  test(`once ${why}, a side step throws without calling its fn`, async (t) => {
    const steps = new Steps('create');
    await end(steps);
    let called = false;
    await t.throwsAsync(steps.run('create cgroup', async () => void (called = true)));
    t.false(called);
    t.is(steps.current, named, message);
  });
}

test('current names the last sequential step begun, until a side step fails; then that one', async (t) => {
  const steps = new Steps('create');
  t.is(steps.current, '');
  steps.begin('resolve commands');
  t.is(steps.current, 'resolve commands');
  steps.begin('check name');
  steps.pause();
  t.is(steps.current, 'check name', 'a pause names no other step');
  await steps.run('start pause holder', async () => 1234);
  t.is(steps.current, 'check name', 'a side step that succeeded is not named');
  await t.throwsAsync(
    steps.run('create veth', async () => {
      throw new Error('File exists');
    }),
  );
  await t.throwsAsync(
    steps.run('configure eth0', async () => {
      throw new Error('never runs');
    }),
  );
  steps.begin('persist record');
  t.is(steps.current, 'create veth');
});

test('phases lists every step in the order begun, sequential and side by side alike, with its ms', async (t) => {
  const steps = new Steps('create');
  steps.begin('resolve commands');
  steps.begin('check name');
  steps.pause();
  await steps.all([steps.run('allocate IP', async () => {}), steps.run('start pause holder', async () => {})] as const);
  await steps.run('create veth', async () => {});
  steps.begin('persist record');
  const phases = steps.phases();
  t.deepEqual(Object.keys(phases), ['resolve commands', 'check name', 'allocate IP', 'start pause holder', 'create veth', 'persist record']);
  for (const [step, ms] of Object.entries(phases)) t.true(typeof ms === 'number' && ms >= 0, `${step}: ${ms}`);
});

test('a step begun twice is listed once, where it was first begun', (t) => {
  const steps = new Steps('remove');
  steps.begin('persist record');
  steps.begin('stop apps');
  steps.begin('persist record');
  t.deepEqual(Object.keys(steps.phases()), ['persist record', 'stop apps']);
});

test('a side step is timed alone, and a paused sequential step is not charged with it', async (t) => {
  const steps = new Steps('create');
  steps.begin('resolve commands');
  steps.pause();
  await steps.all([steps.run('start pause holder', () => sleep(40)), steps.run('allocate IP', async () => {})] as const);
  const phases = steps.phases();
  t.true(phases['start pause holder']! >= 30, `start pause holder: ${phases['start pause holder']} ms`);
  t.true(phases['allocate IP']! < 30, `allocate IP: ${phases['allocate IP']} ms`);
  t.true(phases['resolve commands']! < 30, `resolve commands: ${phases['resolve commands']} ms`);
});

test.serial('a failpoint verb/step-name fails a side step after its fn ran, and current names it', async (t) => {
  t.teardown(() => armFailpoints([]));
  armFailpoints(['create/create-veth', 'recreate/allocate-IP']);
  const steps = new Steps('create');
  t.is(await steps.run('allocate IP', async () => '10.88.0.2'), '10.88.0.2', 'another verb\'s failpoint does not fire');
  let ran = false;
  await t.throwsAsync(
    steps.run('create veth', async () => void (ran = true)),
    { message: 'failpoint create/create-veth fired' },
  );
  t.true(ran);
  t.is(steps.current, 'create veth');
});

test.serial('a failpoint verb/step-name fails a sequential step at its end', (t) => {
  t.teardown(() => armFailpoints([]));
  armFailpoints(['remove/release-IP']);
  const steps = new Steps('remove');
  steps.begin('remove cgroup');
  t.notThrows(() => steps.end());
  steps.begin('release IP');
  t.throws(() => steps.end(), { message: 'failpoint remove/release-IP fired' });
  t.is(steps.current, 'release IP');
});
