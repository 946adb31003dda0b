// apply's "unchanged": the same Pod however it is written, a change anywhere in the spec is one.
import test from 'ava';
import { canonicalJson, samePod } from '../../../lib/manifest/normalize.js';
import { validateManifest } from '../../../lib/manifest/parse.js';

const base = () => ({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', command: ['sleep', '100'], ports: [{ containerPort: 80 }] }] } });

test('canonical JSON sorts keys at every depth and drops undefined, keeping array order', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } }), '{"a":{"d":[2,1]},"b":1}');
});

test('key order, defaults written out or left to the schema, apiVersion/kind given or not: the same pod', (t) => {
  const written = validateManifest({ apiVersion: 'v1', kind: 'Pod', spec: { restartPolicy: 'Always', containers: [{ ports: [{ protocol: 'TCP', containerPort: 80 }], args: [], command: ['sleep', '100'], name: 'app' }] }, metadata: { labels: { app: 'web' }, name: 'web' } });
  t.true(samePod(validateManifest(base()), written));
  // The record on disk is JSON: undefined fields are gone (hostIP 0.0.0.0 is kept as none).
  t.true(samePod(JSON.parse(JSON.stringify(validateManifest(base()))), validateManifest(base())));
  // Empty objects, as `kubectl create … --dry-run=client -o yaml` writes them: none.
  const dryRun = base() as ReturnType<typeof base> & { spec: { securityContext?: object; containers: { resources?: object }[] } };
  Object.assign(dryRun.spec, { securityContext: {} });
  Object.assign(dryRun.spec.containers[0]!, { resources: {} });
  t.true(samePod(validateManifest(base()), validateManifest(dryRun)));
  t.is(canonicalJson({ a: {}, b: [{}], c: { d: {} }, e: { f: 1, g: {} } }), '{"b":[{}],"e":{"f":1}}', 'an object empty once its empty fields are gone is dropped; one in a list kept');
});

test('a changed command, label, policy or port is a change', (t) => {
  const changed = (f: (m: ReturnType<typeof base>) => void) => {
    const m = base();
    f(m);
    return !samePod(validateManifest(base()), validateManifest(m));
  };
  t.true(changed((m) => (m.spec.containers[0]!.command = ['sleep', '200'])));
  t.true(changed((m) => (m.metadata.labels.app = 'web2')));
  t.true(changed((m) => Object.assign(m.spec, { restartPolicy: 'Never' })));
  t.true(changed((m) => (m.spec.containers[0]!.ports[0]!.containerPort = 81)));
});
