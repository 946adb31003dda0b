// `minipod wait --for=…` read as kubectl reads it, and checked against the objects kubectl would
// get (cmd/wait-for.ts); the waiting itself runs in tests/integration/deployments.test.ts.
import test from 'ava';
import { meets, parseWaitFor } from '../../../cmd/wait-for.js';

const pod = { status: { phase: 'Running', podIP: '10.88.0.2', conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'False' }] } };

test('--for=condition=NAME[=VALUE]: True by default, type and value matched whatever their case', (t) => {
  const ready = parseWaitFor('condition=Ready');
  t.deepEqual(ready, { kind: 'condition', type: 'Ready', value: 'True' });
  t.true(meets(ready as Exclude<typeof ready, { kind: 'delete' }>, pod));
  for (const [text, expected] of [['condition=ready', true], ['condition=Initialized', false], ['condition=Initialized=false', true], ['condition=Available', false]] as const) {
    const want = parseWaitFor(text);
    t.is(want.kind !== 'delete' && meets(want, pod), expected, text);
  }
  t.false(meets({ kind: 'condition', type: 'Ready', value: 'True' }, {}), 'an object without conditions');
});

test("--for=jsonpath='{…}'=VALUE: the template's text equal to VALUE; without a value, any text", (t) => {
  for (const [text, expected] of [["jsonpath='{.status.phase}'=Running", true], ['jsonpath={.status.phase}=Pending', false], ['jsonpath={.status.podIP}', true], ['jsonpath={.status.hostIP}', false]] as const) {
    const want = parseWaitFor(text);
    t.is(want.kind !== 'delete' && meets(want, pod), expected, text);
  }
});

test('--for=delete; anything else is refused saying what to write', (t) => {
  t.deepEqual(parseWaitFor('delete'), { kind: 'delete' });
  for (const bad of ['ready', 'condition=', 'condition=Ready=', 'jsonpath=.status.phase=Running', 'jsonpath={.status.phase}Running', 'jsonpath={.status.phase=Running']) {
    t.throws(() => parseWaitFor(bad), { message: /^--for=/ }, bad);
  }
});
