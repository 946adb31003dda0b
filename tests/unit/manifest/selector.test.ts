// Label selectors as kubectl writes them: every form parsed into requirements, matched as the
// Kubernetes API matches them, and a bad one refused with the selector and the part named.
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { matches, matchLabelsSelector, parseSelector } from '../../../lib/manifest/selector.js';

const web = { app: 'web', tier: 'front' };
const db = { app: 'db' };
const pick = (text: string) => [web, db, {}].map((labels) => matches(parseSelector(text), labels));

test('equality: a=b and a==b select the label with that value, a!=b every other pod (one without the label too)', (t) => {
  t.deepEqual(parseSelector('app=web'), [{ key: 'app', op: 'in', values: ['web'] }]);
  t.deepEqual(pick('app=web'), [true, false, false]);
  t.deepEqual(pick('app==web'), [true, false, false]);
  t.deepEqual(pick('app!=web'), [false, true, true]);
});

test('sets: in (x,y), notin (x), a key alone (has it), !key (has it not); a comma is AND', (t) => {
  t.deepEqual(pick('app in (web, db)'), [true, true, false]);
  t.deepEqual(pick('app notin (web)'), [false, true, true]);
  t.deepEqual(pick('tier'), [true, false, false]);
  t.deepEqual(pick('!tier'), [false, true, true]);
  t.deepEqual(pick('app in (web,db),!tier'), [false, true, false]);
  t.deepEqual(pick('app=web,tier=front'), [true, false, false]);
  t.deepEqual(parseSelector('example.com/team=a'), [{ key: 'example.com/team', op: 'in', values: ['a'] }]);
});

test('a bad selector is INVALID_ARGUMENT naming it and what is wrong', (t) => {
  for (const [text, why] of [
    ['app=', null],
    ['=web', /cannot read "=web"/],
    ['app=web,', /an empty requirement/],
    ['app in (web', /a "\(" without its "\)"/],
    ['app=we b', /cannot read "app=we b"/],
    ['-app=web', /"-app" is not a label key/],
    ['app=-web', /"-web" is not a label key|"-web" is not a label value/],
    ['!app in (x)', /"!" goes with a key alone/],
  ] as const) {
    if (why === null) {
      t.deepEqual(parseSelector(text), [{ key: 'app', op: 'in', values: [''] }], 'an empty value is a value (the label set to "")');
      continue;
    }
    const err = t.throws(() => parseSelector(text), { instanceOf: MinipodError }, text);
    t.is(err?.code, 'INVALID_ARGUMENT');
    t.true(err!.message.startsWith(`invalid label selector ${JSON.stringify(text)}: `), err?.message);
    t.regex(err!.message, why, text);
  }
});

test('a Deployment\'s matchLabels is the equality form of the same selector', (t) => {
  const s = matchLabelsSelector({ app: 'web', tier: 'front' });
  t.true(matches(s, { ...web, 'pod-template-hash': 'x' }));
  t.false(matches(s, { app: 'web' }));
});
