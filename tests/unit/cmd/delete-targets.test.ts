// What `minipod delete` removes, read as kubectl reads its arguments, and its output lines.
import test from 'ava';
import { deletedLine, notFoundLine, parseTargets } from '../../../cmd/delete-targets.js';

test('TYPE NAME… and TYPE/NAME…, with kubectl\'s short names', (t) => {
  t.deepEqual(parseTargets(['pod', 'a']), [{ kind: 'pod', name: 'a' }]);
  t.deepEqual(parseTargets(['pods', 'a', 'b']), [{ kind: 'pod', name: 'a' }, { kind: 'pod', name: 'b' }]);
  t.deepEqual(parseTargets(['deploy', 'web']), [{ kind: 'deployment', name: 'web' }]);
  t.deepEqual(parseTargets(['deployment/web', 'po/t', 'deployment.apps/x']), [{ kind: 'deployment', name: 'web' }, { kind: 'pod', name: 't' }, { kind: 'deployment', name: 'x' }]);
});

test('a bare name, a type without names, or an unknown type is a usage message saying what to write', (t) => {
  t.is(parseTargets(['web']), 'delete web: say what it is: `minipod delete pod web` or `minipod delete deployment web`');
  t.is(parseTargets(['pod']), 'delete pod: give the name of at least one pod');
  t.regex(parseTargets(['service/web']) as string, /expected TYPE\/NAME, TYPE one of pod, deployment/);
  t.regex(parseTargets(['pod', 'pod/a']) as string, /give names only after a type/);
  t.regex(parseTargets([]) as string, /delete -f FILE/);
});

test('output in kubectl\'s words', (t) => {
  t.is(deletedLine({ kind: 'pod', name: 'web' }), 'pod "web" deleted');
  t.is(deletedLine({ kind: 'deployment', name: 'web' }), 'deployment.apps "web" deleted');
  t.is(notFoundLine({ kind: 'pod', name: 'x' }), 'Error from server (NotFound): pods "x" not found');
  t.is(notFoundLine({ kind: 'deployment', name: 'x' }), 'Error from server (NotFound): deployments.apps "x" not found');
});
