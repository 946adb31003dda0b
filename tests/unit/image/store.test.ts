import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { ImageStore } from '../../../lib/image/store.js';
import { log } from '../../../lib/log.js';
import { FakeHost } from '../../../lib/os/fake.js';
import { useHost } from '../../../lib/os/host.js';
import { dockerArchive, ociArchive, type ImageSpec } from '../../helpers/images.js';
import { tarOf } from '../../helpers/tar.js';
import { tempDir } from '../../helpers/temp.js';

if (!process.env.MINIPOD_LOG_LEVEL) log.level = 'silent';
const fake = new FakeHost();
useHost(fake, fake.tools);

const base: ImageSpec = { layers: [[{ path: 'bin/', type: 'Directory' }, { path: 'bin/busybox', body: 'ELF', mode: 0o755 }], [{ path: 'etc/hostname', body: 'x\n' }]], tags: ['busybox'] };

async function fresh(t: import('ava').ExecutionContext) {
  const dir = await tempDir(t, 'minipod-images-');
  const store = new ImageStore(path.join(dir, 'state'));
  await store.init();
  return { dir, store };
}

const layerDirs = (store: ImageStore) => readdirSync(store.paths.layers).sort();

for (const [format, build] of [
  ['docker-archive, old style', (dir: string, spec: ImageSpec) => dockerArchive(dir, spec)],
  ['docker-archive, new style', (dir: string, spec: ImageSpec) => dockerArchive(dir, spec, { style: 'new' })],
  ['OCI layout, gzip layers', (dir: string, spec: ImageSpec) => ociArchive(dir, { ...spec, gzipLayers: true })],
] as const) {
  test(`${format}: imported, listed, resolved, layers unpacked once`, async (t) => {
    const { dir, store } = await fresh(t);
    const built = await build(dir, base);
    const [image] = await store.importFile(built.file);
    t.is(image!.id, built.id);
    t.deepEqual(image!.repoTags, ['docker.io/library/busybox:latest']);
    t.deepEqual(image!.config, { Env: ['PATH=/bin'], Cmd: ['/bin/sh'], WorkingDir: '/' });
    t.is(image!.created, '2024-01-02T03:04:05Z');
    t.deepEqual(image!.layers.map((l) => l.diffId), built.diffIds);
    t.true(image!.size > 0);
    const resolved = store.resolve('busybox');
    t.is(resolved.layerDirs.length, 2);
    t.is(readFileSync(path.join(resolved.layerDirs[0]!, 'bin/busybox'), 'utf8'), 'ELF');
    t.is(store.inspect(built.id.slice(0, 12)).id, built.id);
    t.deepEqual(readdirSync(store.paths.tmp), [], 'tmp/ is empty after an import');
    // again: nothing unpacked, the same layer directories (same inode)
    const before = layerDirs(store);
    await store.importFile(built.file);
    t.deepEqual(layerDirs(store), before);
    t.is(store.list().length, 1);
  });
}

test('a layer shared by two images is unpacked once and kept until the last goes', async (t) => {
  const { dir, store } = await fresh(t);
  const a = await dockerArchive(dir, base, { name: 'a.tar' });
  const b = await dockerArchive(dir, { layers: [base.layers[0]!, [{ path: 'www/index.html', body: 'It works!' }]], tags: ['httpd'] }, { name: 'b.tar' });
  await store.importFile(a.file);
  await store.importFile(b.file);
  t.is(layerDirs(store).length, 3);
  const refused = await t.throwsAsync(store.remove('busybox', () => ['web', 'db']), { instanceOf: MinipodError });
  t.is(refused!.code, 'CONFLICT');
  t.regex(refused!.message, /image busybox \([0-9a-f]{12}\) is used by pods web, db: remove them first/);
  const removed = await store.remove('busybox', () => []);
  t.is(removed.deleted, a.id);
  t.is(removed.layersRemoved, 1, 'the shared layer stays');
  t.is(layerDirs(store).length, 2);
  await store.remove('httpd', () => []);
  t.deepEqual(layerDirs(store), []);
  t.deepEqual(readdirSync(store.paths.blobs), []);
  t.deepEqual(readdirSync(store.paths.images), []);
});

test('a tag imported again moves to the new image; the old one shows no tag; rm of one of several tags untags', async (t) => {
  const { dir, store } = await fresh(t);
  const old = await dockerArchive(dir, { ...base, tags: ['busybox', 'busybox:1'] }, { name: 'old.tar' });
  const neu = await dockerArchive(dir, { ...base, env: ['PATH=/usr/bin'] }, { name: 'new.tar' });
  await store.importFile(old.file);
  await store.importFile(neu.file);
  t.deepEqual(store.inspect(old.id).repoTags, ['docker.io/library/busybox:1']);
  t.is(store.inspect('busybox').id, neu.id);
  await store.importFile((await dockerArchive(dir, { ...base, tags: ['busybox:2'] }, { name: 'again.tar' })).file);
  t.deepEqual(store.inspect(old.id).repoTags, ['docker.io/library/busybox:1', 'docker.io/library/busybox:2'], 'same image, another tag: added');
  const r = await store.remove('busybox:1', () => ['in-use-but-only-untagged']);
  t.deepEqual(r, { untagged: ['docker.io/library/busybox:1'], deleted: null, layersRemoved: 0 });
  // the records on disk say the same after a restart
  const again = new ImageStore(path.dirname(store.paths.root));
  await again.init();
  t.deepEqual(again.inspect(old.id).repoTags, ['docker.io/library/busybox:2']);
  t.is(again.inspect('busybox').id, neu.id);
});

const refusals: [string, (dir: string) => Promise<string>, RegExp][] = [
  ['not a tar at all', async (dir) => { const f = path.join(dir, 'x'); await writeFile(f, 'hello'); return f; }, /not a valid image archive: the file is not a readable tar/],
  ['a truncated archive', async (dir) => {
    const { file } = await dockerArchive(dir, base);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, 1500));
    return file;
  }, /not a valid image archive/],
  ['neither format', async (dir) => { const f = path.join(dir, 'x.tar'); await writeFile(f, tarOf([{ path: 'hello', body: 'x' }])); return f; }, /neither manifest.json \(docker-archive\) nor oci-layout/],
  ['a config not named by its digest', async (dir) => (await dockerArchive(dir, base, { tamper: 'config-name' })).file, /config 1{64}.json does not match its digest/],
  ['a layer that is not what the config says', async (dir) => (await dockerArchive(dir, base, { tamper: 'diffid' })).file, /does not match the image config: its uncompressed digest is sha256:[0-9a-f]{64}, the config's rootfs.diff_ids says sha256:0{64}/],
  ['an OCI layer blob that does not match its digest', async (dir) => (await ociArchive(dir, base, { tamper: 'layer-digest' })).file, /blobs\/sha256\/[0-9a-f]{64} does not match its digest/],
  ['an OCI manifest that does not match its digest', async (dir) => (await ociArchive(dir, base, { tamper: 'manifest-digest' })).file, /blobs\/sha256\/2{64} does not match its digest/],
  ['a zstd OCI layer', async (dir) => (await ociArchive(dir, base, { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' })).file, /zstd-compressed .* which minipod does not support/],
  ['an escaping layer entry', async (dir) => (await dockerArchive(dir, { layers: [[{ path: '../../etc/cron.d/x', body: 'x' }]] })).file, /entry "..\/..\/etc\/cron.d\/x" has a ".." component/],
  ['a device node in a layer', async (dir) => (await dockerArchive(dir, { layers: [[{ path: 'dev/sda', type: 'BlockDevice', devmaj: 8 }]] })).file, /entry "dev\/sda" is a device node/],
  ['a bad tag', async (dir) => (await dockerArchive(dir, { ...base, tags: ['UPPER:1'] })).file, /RepoTags: invalid image reference "UPPER:1": the repository name must be lowercase/],
  ['a manifest naming a file outside', async (dir) => {
    const f = path.join(dir, 'x.tar');
    await writeFile(f, tarOf([{ path: 'manifest.json', body: JSON.stringify([{ Config: '../../etc/passwd', Layers: [] }]) }]));
    return f;
  }, /config file "..\/..\/etc\/passwd" is not named by its sha256/],
  ['a device node in the archive itself', async (dir) => {
    const f = path.join(dir, 'x.tar');
    await writeFile(f, tarOf([{ path: 'null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }, { path: 'manifest.json', body: '[]' }]));
    return f;
  }, /entry "null" is a CharacterDevice/],
];
for (const [what, make, message] of refusals) {
  test(`refused, store unchanged: ${what}`, async (t) => {
    const { dir, store } = await fresh(t);
    const err = await t.throwsAsync(store.importFile(await make(dir)), { instanceOf: MinipodError });
    t.is(err!.code, 'INVALID_ARGUMENT');
    t.regex(err!.message, message);
    t.deepEqual(store.list(), []);
    for (const sub of ['images', 'blobs', 'layers', 'tmp'] as const) t.deepEqual(readdirSync(store.paths[sub]), [], sub);
  });
}

test('init removes what an interrupted import left: tmp/ content, unnamed layers and blobs, half-written records; a bad record is quarantined', async (t) => {
  const { dir, store } = await fresh(t);
  const built = await dockerArchive(dir, base);
  await store.importFile(built.file);
  const kept = layerDirs(store);
  await mkdir(path.join(store.paths.tmp, 'layer-123/bin'), { recursive: true });
  await writeFile(path.join(store.paths.tmp, 'upload-x'), 'partial');
  await mkdir(path.join(store.paths.layers, `sha256-${'e'.repeat(64)}`));
  await writeFile(path.join(store.paths.blobs, 'f'.repeat(64)), '{}');
  await writeFile(path.join(store.paths.images, `${built.id}.json.12345`), '{"half');
  await writeFile(path.join(store.paths.images, `${'d'.repeat(64)}.json`), JSON.stringify({ id: 'd'.repeat(64), repoTags: ['HTTPD'] }));
  const again = new ImageStore(path.dirname(store.paths.root));
  const { quarantined } = await again.init();
  t.deepEqual(readdirSync(again.paths.tmp), []);
  t.deepEqual(layerDirs(again), kept);
  t.deepEqual(readdirSync(again.paths.blobs), [built.id]);
  t.deepEqual(readdirSync(again.paths.images).sort(), [`${built.id}.json`, `${'d'.repeat(64)}.json.corrupt`, `${'d'.repeat(64)}.json.corrupt.why`]);
  t.is(quarantined.length, 1);
  t.true(quarantined[0]!.issues.some((i) => /repoTags.0: must be a normalized name:tag/.test(i)), quarantined[0]!.issues.join('; '));
  t.is(again.list().length, 1);
});

test('a record whose layer is gone is quarantined, not trusted', async (t) => {
  const { dir, store } = await fresh(t);
  const built = await dockerArchive(dir, base);
  await store.importFile(built.file);
  const { rm } = await import('node:fs/promises');
  await rm(path.join(store.paths.layers, layerDirs(store)[0]!), { recursive: true });
  const again = new ImageStore(path.dirname(store.paths.root));
  const { quarantined } = await again.init();
  t.regex(quarantined[0]!.issues.join('\n'), /its layer sha256:[0-9a-f]{64} is not unpacked/);
  t.deepEqual(again.list(), []);
  t.false(existsSync(path.join(again.paths.images, `${built.id}.json`)));
});

test('a record edited to run something else than its image config says is quarantined', async (t) => {
  const { dir, store } = await fresh(t);
  const built = await dockerArchive(dir, base);
  await store.importFile(built.file);
  const file = path.join(store.paths.images, `${built.id}.json`);
  const record = JSON.parse(await readFile(file, 'utf8'));
  await writeFile(file, JSON.stringify({ ...record, config: { ...record.config, Cmd: ['/bin/sh', '-c', 'evil'] } }));
  const again = new ImageStore(path.dirname(store.paths.root));
  const { quarantined } = await again.init();
  t.deepEqual(quarantined[0]?.issues, ['config: differs from the image config blob']);
  t.deepEqual(again.list(), []);
});

test('importStream caps the size and leaves nothing in tmp/', async (t) => {
  const { dir, store } = await fresh(t);
  const { Readable } = await import('node:stream');
  const built = await dockerArchive(dir, base);
  const err = await t.throwsAsync(store.importStream(Readable.from([await readFile(built.file)]), 1000));
  t.regex(err!.message, /image archive larger than 1000 bytes/);
  t.is((err as MinipodError).status, 413);
  const empty = await t.throwsAsync(store.importStream(Readable.from([]), 1000));
  t.regex(empty!.message, /the image archive is empty/);
  const [image] = await store.importStream(Readable.from([await readFile(built.file)]), 1 << 20);
  t.is(image!.id, built.id);
  t.deepEqual(readdirSync(store.paths.tmp), []);
});
