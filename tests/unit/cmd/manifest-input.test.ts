// -n and a manifest's own namespace, as kubectl has them: a document that names none takes -n's;
// one that names another, `default` included, is refused before anything is sent.
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { parseDocuments } from '../../../lib/manifest/documents.js';
import { placeInNamespace } from '../../../cmd/manifest-input.js';

const pod = (meta: string) => `apiVersion: v1\nkind: Pod\nmetadata: {${meta}}\nspec:\n  containers:\n  - {name: app, command: ["sleep", "100"]}\n`;

test('no namespace in the file: -n\'s; the same one: kept; none given: the file\'s or default', (t) => {
  const docs = parseDocuments([pod('name: a'), pod('name: b, namespace: team-a')].join('---\n'));
  placeInNamespace(docs, 'team-a');
  t.deepEqual(docs.map((d) => d.manifest.metadata.namespace), ['team-a', 'team-a']);
  const untouched = parseDocuments([pod('name: a'), pod('name: b, namespace: team-b')].join('---\n'));
  placeInNamespace(untouched, undefined);
  t.deepEqual(untouched.map((d) => d.manifest.metadata.namespace), ['default', 'team-b']);
});

test('a file that names default, given -n other, is refused as kubectl refuses it (not sent to other)', (t) => {
  const docs = parseDocuments(pod('name: a, namespace: default'));
  const err = t.throws(() => placeInNamespace(docs, 'other'), { instanceOf: MinipodError })!;
  t.is(err.message, 'the namespace from the provided object "default" does not match the namespace "other". You must pass \'--namespace=default\' to perform this operation.');
});

test('with -n, a document that names no namespace and one that names -n\'s are the same object: refused', (t) => {
  const docs = parseDocuments([pod('name: a'), pod('name: a, namespace: team-a')].join('---\n'));
  const err = t.throws(() => placeInNamespace(docs, 'team-a'), { instanceOf: MinipodError })!;
  t.is(err.message, 'document 2: metadata.name: pod/a is also document 1 in namespace team-a: give each object its own name');
});
