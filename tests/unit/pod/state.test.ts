// The pod state machine: exactly the transitions of the diagram, nothing else.
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { assertTransition, canRemove, canTransition, type PodPhase } from '../../../lib/pod/state.js';

const phases: PodPhase[] = ['Pending', 'Running', 'SandboxLost', 'Recreating', 'Terminating', 'Stopped'];

const allowed: [PodPhase, PodPhase][] = [
  ['Pending', 'Running'],
  ['Pending', 'Terminating'],
  ['Running', 'SandboxLost'],
  ['Running', 'Terminating'],
  ['SandboxLost', 'Recreating'],
  ['SandboxLost', 'Running'],
  ['SandboxLost', 'Terminating'],
  ['Recreating', 'Running'],
  ['Recreating', 'SandboxLost'],
  ['Recreating', 'Terminating'],
  ['Terminating', 'Terminating'],
  ['Terminating', 'Stopped'],
  ['Stopped', 'Terminating'],
];
const isAllowed = (from: PodPhase, to: PodPhase) => allowed.some(([f, x]) => f === from && x === to);

for (const [from, to] of allowed) {
  test(`${from} → ${to} is allowed`, (t) => {
    t.true(canTransition(from, to));
    t.notThrows(() => assertTransition('web', from, to));
  });
}

test('every transition not in the diagram is refused', (t) => {
  for (const from of phases) {
    for (const to of phases) {
      if (isAllowed(from, to)) continue;
      t.false(canTransition(from, to), `${from} → ${to}`);
    }
  }
});

for (const [from, to] of [
  ['Pending', 'Stopped'],
  ['Running', 'Running'],
  ['Running', 'Recreating'],
  ['Stopped', 'Running'],
] as [PodPhase, PodPhase][]) {
  test(`${from} → ${to} throws CONFLICT naming the pod`, (t) => {
    const err = t.throws(() => assertTransition('web', from, to), { instanceOf: MinipodError })!;
    t.is(err.code, 'CONFLICT');
    t.is(err.message, `pod web is ${from}: cannot go to ${to}`);
  });
}

// A stop cut short (or a daemon that died mid-stop) leaves the record Terminating; stop and
// `rm -f` must be able to run the teardown again, or the pod's veth and lease leak forever.
test('a Terminating pod can enter Terminating again (resumed teardown)', (t) => {
  t.true(canTransition('Terminating', 'Terminating'));
});

test('only a Stopped pod can be removed without --force', (t) => {
  t.deepEqual(phases.filter((p) => canRemove(p)), ['Stopped']);
});
