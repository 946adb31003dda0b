// `-f DIR` (cmd/manifest-input.ts): a directory's .json, .yaml and .yml files in name order, each
// document naming its file; every file checked before any object is used; one object in two files
// refused; an image-less container's working directory taken from its own file's directory.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { readManifests, readObjectNames } from '../../../cmd/manifest-input.js';
import { tempDir } from '../../helpers/temp.js';

const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers: [{name: app, command: [sleep, "1"]}]\n`;

test('a directory: its manifests in name order, each naming its file; other files and subdirectories left alone', async (t) => {
  const dir = await tempDir(t, 'minipod-manifests-');
  await writeFile(path.join(dir, 'b.yaml'), pod('b'));
  await writeFile(path.join(dir, 'a.yml'), `${pod('a1')}---\n${pod('a2')}`);
  await writeFile(path.join(dir, 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' }, spec: { containers: [{ name: 'app', command: ['sleep', '1'] }] } }));
  await writeFile(path.join(dir, 'README.md'), 'not a manifest');
  await mkdir(path.join(dir, 'sub'));
  await writeFile(path.join(dir, 'sub', 'd.yaml'), pod('d'));
  const docs = await readManifests(dir);
  t.deepEqual(docs.map((d) => [d.manifest.metadata.name, d.source, d.index]), [['a1', path.join(dir, 'a.yml'), 1], ['a2', path.join(dir, 'a.yml'), 2], ['b', path.join(dir, 'b.yaml'), 1], ['c', path.join(dir, 'c.json'), 1]]);
  t.is((docs[0]!.manifest as { spec: { containers: { workingDir?: string }[] } }).spec.containers[0]!.workingDir, dir, "an image-less container's working directory: its file's");
  t.deepEqual((await readObjectNames(dir)).map((o) => o.name), ['a1', 'a2', 'b', 'c']);
  const one = await readManifests(path.join(dir, 'b.yaml'));
  t.is(one[0]!.source, undefined, 'a file alone: its documents need not name it');
});

test('every file is checked first: the errors of all of them at once; one object in two files is refused; an empty directory says what it reads', async (t) => {
  const dir = await tempDir(t, 'minipod-manifests-');
  await writeFile(path.join(dir, 'a.yaml'), pod('web'));
  await writeFile(path.join(dir, 'b.yaml'), pod('web'));
  await t.throwsAsync(readManifests(dir), { message: `${path.join(dir, 'b.yaml')}: pod/web is also in ${path.join(dir, 'a.yaml')}: give each object its own name` });
  await writeFile(path.join(dir, 'b.yaml'), 'kind: Pod\nmetadata: {name: x}\n');
  await writeFile(path.join(dir, 'c.yaml'), 'a: [');
  const err = await t.throwsAsync(readManifests(dir));
  t.regex(err!.message, new RegExp(`^${path.join(dir, 'b.yaml')}: .*; ${path.join(dir, 'c.yaml')}: not valid YAML or JSON`));
  const empty = await tempDir(t, 'minipod-manifests-');
  await t.throwsAsync(readManifests(empty), { message: `${empty}: no manifest in this directory: -f reads a directory's .json, .yaml and .yml files, as kubectl does` });
});
