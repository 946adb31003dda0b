// ?namespace, ?allNamespaces and ?labelSelector as the routes read them.
import test from 'ava';
import { keyParam, listFilter, withNamespace } from '../../../lib/api/scope.js';

const q = (s: string) => new URLSearchParams(s);

test('a pod is found by the query\'s namespace (default default); a bad namespace is refused', (t) => {
  t.is(keyParam('web', q('')), 'web');
  t.is(keyParam('web', q('namespace=team-a')), 'team-a_web');
  t.throws(() => keyParam('web', q('namespace=Bad_NS')), { message: /^namespace "Bad_NS" is not a DNS-1123 label/ });
});

test('a manifest gets the query\'s namespace if it has none; one that names another is refused as kubectl refuses it', (t) => {
  const m = { metadata: { name: 'web' } };
  t.deepEqual(withNamespace(m, q('namespace=b')), { metadata: { name: 'web', namespace: 'b' } });
  t.is(withNamespace(m, q('')), m, 'no namespace asked: the manifest\'s own (or default)');
  t.throws(() => withNamespace({ metadata: { name: 'web', namespace: 'a' } }, q('namespace=b')), {
    message: 'the namespace from the provided object "a" does not match the namespace "b". You must pass \'--namespace=a\' to perform this operation.',
  });
});

test('a listing keeps one namespace, or all with allNamespaces, and the labels the selector matches', (t) => {
  const pods = [['default', { app: 'web' }], ['b', { app: 'web' }], ['b', { app: 'db' }]] as const;
  const keep = (s: string) => pods.map(([ns, l]) => listFilter(q(s))(ns, l));
  t.deepEqual(keep(''), [true, false, false]);
  t.deepEqual(keep('namespace=b'), [false, true, true]);
  t.deepEqual(keep('allNamespaces=true&labelSelector=app%3Dweb'), [true, true, false]);
  t.throws(() => keep('labelSelector=app%3D%3D%3D'), { message: /^invalid label selector "app===": / });
});
