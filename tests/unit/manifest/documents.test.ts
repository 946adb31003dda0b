// Manifest files of several documents: all checked before anything is made, each error naming its
// document and field; kinds minipod does not have are refused saying what to write instead.
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { namedObjects, objectName, parseDocuments } from '../../../lib/manifest/documents.js';
import { validateManifest } from '../../../lib/manifest/parse.js';

const pod = (name: string, container = 'app') => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers:\n  - {name: ${container}, command: ["sleep", "100"]}\n`;
const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: app, command: ["sleep", "100"]}]\n`;

function refused(t: import('ava').ExecutionContext, text: string): string[] {
  const err = t.throws(() => parseDocuments(text, 'app.yaml'), { instanceOf: MinipodError })!;
  t.is(err.code, 'INVALID_ARGUMENT');
  t.false(err.message.includes('\n'), 'one line');
  return err.details;
}

test('every document of a file, in order, numbered as written; empty documents are skipped', (t) => {
  const docs = parseDocuments(`${pod('a')}---\n${deployment}---\n# nothing\n---\n${pod('b')}---\n`, 'app.yaml');
  t.deepEqual(docs.map((d) => [d.index, objectName(d)]), [[1, 'pod/a'], [2, 'deployment.apps/web'], [4, 'pod/b']]);
  t.is(docs[0]!.kind === 'Pod' && docs[0]!.manifest.spec.restartPolicy, 'Always', 'defaults filled in');
});

test('one JSON object is one document', (t) => {
  const docs = parseDocuments(JSON.stringify({ metadata: { name: 'j' }, spec: { containers: [{ name: 'c', command: ['x'] }] } }), 'j.json');
  t.deepEqual(docs.map(objectName), ['pod/j']);
});

test('every bad document is named with its field; nothing is returned for the good ones', (t) => {
  const details = refused(t, `${pod('a')}---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n${pod('b', 'Bad_Name')}`);
  t.deepEqual(details, [
    'app.yaml: document 2: kind: Service is not supported by minipod: pods are reached by their IP or a hostPort (spec.containers[].ports[].hostPort); remove this document',
    'app.yaml: document 3: invalid pod manifest: spec.containers[0].name: must be a DNS-1123 label: lowercase letters, digits and "-", at most 63, starting and ending alphanumeric',
  ]);
});

test('a kind minipod does not have says why and what to use', (t) => {
  const only = (kind: string) => refused(t, `apiVersion: v1\nkind: ${kind}\nmetadata: {name: x}\n`)[0];
  t.regex(only('ConfigMap')!, /^kind: ConfigMap is not supported by minipod: give the values to the container as spec\.containers\[\]\.env; remove this document$/);
  t.regex(only('Namespace')!, /^kind: Namespace is not supported by minipod: a namespace exists as soon as a pod or Deployment names it/);
  t.regex(only('Job')!, /restartPolicy: Never .* `minipod run -f FILE`/);
  t.regex(only('Frobnicator')!, /^kind: Frobnicator is not supported: minipod takes a Pod \(v1\) or a Deployment \(apps\/v1\)$/);
});

test('a Deployment where only a Pod is taken (POST /pods) says where it goes', (t) => {
  const err = t.throws(() => validateManifest({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {} }), { instanceOf: MinipodError })!;
  t.is(err.message, 'kind: Deployment is not accepted here, only a Pod: apply a Deployment with `minipod apply -f FILE` (its controller makes the pods)');
});

test('the same object twice is refused, naming both documents', (t) => {
  t.deepEqual(refused(t, `${pod('a')}---\n${pod('a')}`), ['app.yaml: document 2: metadata.name: pod/a is also document 1: give each object its own name']);
});

test('broken YAML in one document names it; a file with no object says what it expects', (t) => {
  t.regex(refused(t, `${pod('a')}---\nmetadata: {name: x\n`)[0]!, /^app\.yaml: document 2: not valid YAML or JSON: /);
  t.regex(refused(t, `${pod('a')}---\n- a list\n`)[0]!, /^app\.yaml: document 2: expected a Pod or Deployment object/);
  t.deepEqual(refused(t, '# only a comment\n'), []);
  t.throws(() => parseDocuments('---\n', 'empty.yaml'), { message: 'empty.yaml: no object in it: expected a Pod or Deployment (apiVersion, kind, metadata, spec)' });
});

test('a single document keeps the messages it always had (no document number)', (t) => {
  t.regex(refused(t, 'metadata: {name: x\nspec: [')[0]!, /^app\.yaml: not valid YAML or JSON: /);
  t.regex(refused(t, pod('a', 'Bad'))[0]!, /^invalid pod manifest: spec\.containers\[0\]\.name: /);
});

test('one name in two namespaces is two objects; the same name twice in one namespace (default named or not) is refused', (t) => {
  const inNs = (name: string, ns: string) => pod(name).replace(`metadata: {name: ${name}}`, `metadata: {name: ${name}, namespace: ${ns}}`);
  const docs = parseDocuments([pod('a'), inNs('c', 'default'), inNs('b', 'team-a'), inNs('b', 'team-b')].join('---\n'), 'app.yaml');
  t.deepEqual(docs.map((d) => [d.manifest.metadata.namespace, objectName(d)]), [['default', 'pod/a'], ['default', 'pod/c'], ['team-a', 'pod/b'], ['team-b', 'pod/b']]);
  t.deepEqual(refused(t, [pod('a'), inNs('a', 'default')].join('---\n')), ['app.yaml: document 2: metadata.name: pod/a is also document 1: give each object its own name']);
});

// -n and a manifest's own namespace, as kubectl has them: a document that names none takes -n's;
// one that names another, `default` included, is refused before anything is sent.
const named = (meta: string) => `apiVersion: v1\nkind: Pod\nmetadata: {${meta}}\nspec:\n  containers:\n  - {name: app, command: ["sleep", "100"]}\n`;

test('-n: no namespace in the file takes -n\'s; the same one is kept; without -n, the file\'s or default', (t) => {
  t.deepEqual(parseDocuments([named('name: a'), named('name: b, namespace: team-a')].join('---\n'), 'app.yaml', 'team-a').map((d) => d.manifest.metadata.namespace), ['team-a', 'team-a']);
  t.deepEqual(parseDocuments([named('name: a'), named('name: b, namespace: team-b')].join('---\n'), 'app.yaml').map((d) => d.manifest.metadata.namespace), ['default', 'team-b']);
});

test('-n other and a file that names default: refused as kubectl refuses it (not sent to other)', (t) => {
  const err = t.throws(() => parseDocuments(named('name: a, namespace: default'), 'app.yaml', 'other'), { instanceOf: MinipodError })!;
  t.is(err.message, 'the namespace from the provided object "default" does not match the namespace "other". You must pass \'--namespace=default\' to perform this operation.');
});

test('-n: a document that names no namespace and one that names -n\'s are the same object: refused', (t) => {
  const err = t.throws(() => parseDocuments([named('name: a'), named('name: a, namespace: team-a')].join('---\n'), 'app.yaml', 'team-a'), { instanceOf: MinipodError })!;
  t.deepEqual(err.details, ['app.yaml: document 2: metadata.name: pod/a is also document 1 in namespace team-a: give each object its own name']);
});

test('a v1 List (what `get pods -o yaml` prints for several) stands for its items; a bad item is named by its place', (t) => {
  const item = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', command: ['sleep', '100'] }] } });
  const docs = parseDocuments(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [item('a'), item('b')], metadata: { resourceVersion: '' } }), 'list.json');
  t.deepEqual(docs.map(objectName), ['pod/a', 'pod/b']);
  const details = refused(t, `${pod('c')}---\n${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [item('d'), item('c')] })}\n`);
  t.deepEqual(details, ["app.yaml: document 2: item 2: metadata.name: pod/c is also document 1: give each object its own name"]);
  t.regex(refused(t, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [item('Bad_Name')] }))[0]!, /^app\.yaml: List: item 1: .*metadata\.name/);
});

test('delete -f reads only kind, name and namespace: a spec minipod would refuse, or a kind it has not, is still named', (t) => {
  const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team}\nspec: {strategy: {type: RollingUpdate}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\n---\n${pod('a')}`;
  t.deepEqual(namedObjects(text, 'app.yaml'), [{ kind: 'Deployment', name: 'web', namespace: 'team' }, { kind: 'Service', name: 'svc', namespace: 'default' }, { kind: 'Pod', name: 'a', namespace: 'default' }]);
  t.throws(() => namedObjects('kind: Pod\nmetadata: {}\n', 'app.yaml'), { message: /^app\.yaml: metadata\.name: give the name/ });
  t.throws(() => namedObjects(text, 'app.yaml', 'other'), { message: /document 1: the namespace from the provided object "team" does not match/ });
});
