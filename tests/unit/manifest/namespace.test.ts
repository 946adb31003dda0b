// metadata.namespace, annotations and the pod key: what names a pod on disk and in the kernel.
import test from 'ava';
import { keyOf, parseKey, podKey } from '../../../lib/manifest/pod-key.js';
import { validateDeployment, validateManifest } from '../../../lib/manifest/parse.js';

const pod = (metadata: object) => ({ metadata, spec: { containers: [{ name: 'a', command: ['true'] }] } });

test('metadata.namespace defaults to default and is a DNS-1123 label', (t) => {
  t.is(validateManifest(pod({ name: 'web' })).metadata.namespace, 'default');
  t.is(validateManifest(pod({ name: 'web', namespace: 'team-a' })).metadata.namespace, 'team-a');
  for (const bad of ['Team', 'a_b', '-a', 'x'.repeat(64), '']) {
    t.throws(() => validateManifest(pod({ name: 'web', namespace: bad })), { message: /^invalid pod manifest: metadata\.namespace: must be a DNS-1123 label/ }, bad);
  }
});

test('annotations: any string value, keys as label keys, 256 KiB in all', (t) => {
  const a = { 'example.com/note': 'free text: with spaces, "quotes" and\nlines', owner: '' };
  t.deepEqual(validateManifest(pod({ name: 'web', annotations: a })).metadata.annotations, a);
  t.throws(() => validateManifest(pod({ name: 'web', annotations: { 'bad key': 'x' } })), { message: /metadata\.annotations\.bad key: is not an annotation key/ });
  t.throws(() => validateManifest(pod({ name: 'web', annotations: { big: 'x'.repeat(256 * 1024) } })), { message: /metadata\.annotations: are 262147 bytes in all: at most 262144/ });
  t.throws(() => validateManifest(pod({ name: 'web', annotations: { n: 1 } })), { message: /metadata\.annotations\.n: Expected string/ });
});

test('a Deployment has a namespace (default default) and annotations too', (t) => {
  const d = (metadata: object) => validateDeployment({ apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'a', command: ['true'] }] } } } });
  t.is(d({ name: 'web' }).metadata.namespace, 'default');
  t.is(d({ name: 'web', namespace: 'ns1', annotations: { x: 'y' } }).metadata.namespace, 'ns1');
});

test('a pod\'s key is its name in default (as before namespaces) and NS_NAME elsewhere, never shared', (t) => {
  t.is(podKey('default', 'web'), 'web');
  t.is(podKey('team-a', 'web'), 'team-a_web');
  t.is(keyOf({ name: 'web' }), 'web', 'a record written before namespaces');
  t.deepEqual(parseKey('team-a_web'), { namespace: 'team-a', name: 'web' });
  t.deepEqual(parseKey('web'), { namespace: 'default', name: 'web' });
  // "_" is in no DNS label: NS_NAME can be no default pod's name, nor another namespace's pod.
  t.not(podKey('a', 'b-c'), podKey('a-b', 'c'));
});
