// Images made by podman itself (a Debian package) import: a docker-archive and an OCI archive of
// the same tiny image (a static busybox), made from a rootfs tarball with podman's storage in a
// temp dir (no network, no registry). Each layer is unpacked once, `image rm` removes it, and a
// daemon killed in the middle of an import leaves nothing in images/tmp. Whiteouts unpacked are
// read as whiteouts by overlayfs, mounted in the node's own mount namespace.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import type { ImageList } from '../../lib/api/protocol.js';
import type { ImageRecord } from '../../lib/image/records.js';
import { assertNodeEmpty, restartTestNode, startTestNode, type TestNode } from '../helpers/node.js';
import { dockerArchive } from '../helpers/images.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;
let work: string;
let docker: string;
let oci: string;

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const images = (n: TestNode, ...sub: string[]) => path.join(n.stateDir, 'images', ...sub);

test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'minipod-podman-'));
  const rootfs = path.join(work, 'rootfs');
  await mkdir(path.join(rootfs, 'bin'), { recursive: true });
  await copyFile('/bin/busybox', path.join(rootfs, 'bin/busybox'));
  await symlink('busybox', path.join(rootfs, 'bin/sh'));
  await execa('tar', ['-C', rootfs, '-cf', path.join(work, 'rootfs.tar'), '.']);
  docker = path.join(work, 'docker.tar');
  oci = path.join(work, 'oci.tar');
  // podman keeps its storage, run and tmp dirs in work; its host-wide files (the blob info cache
  // under /var/lib/containers, big temp files in /var/tmp) go to tmpfs mounts in a mount namespace
  // of its own, gone when it exits: nothing of it stays on the machine.
  const podman = `podman --root ${work}/root --runroot ${work}/runroot --tmpdir ${work}/tmp --storage-driver vfs`;
  const script = [
    'mount -t tmpfs -o size=64m,mode=0755 minipod-test-podman /var/lib',
    'mount -t tmpfs -o size=64m,mode=1777 minipod-test-podman /var/tmp',
    `${podman} import ${work}/rootfs.tar localhost/t:1`,
    `${podman} save --format docker-archive -o ${docker} localhost/t:1`,
    `${podman} save --format oci-archive -o ${oci} localhost/t:1`,
  ].join(' && ');
  await execa('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-ec', script], { timeout: 120_000 });
  node = await startTestNode();
});
test.after.always(async () => {
  await node?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

test.serial('archives podman made import: ls shows them, the layer holds busybox, a second import unpacks nothing, rm removes the image and its layers', async (t) => {
  const first = await node.cli(['image', 'import', docker]);
  t.is(first.exitCode, 0, first.stderr);
  const [id, tag] = first.stdout.trim().split(' ');
  t.regex(id!, /^[0-9a-f]{64}$/);
  t.is(tag, 'localhost/t:1');

  const ls = await node.cli(['image', 'ls']);
  t.regex(ls.stdout, /^REPOSITORY +TAG +IMAGE ID +SIZE +CREATED$/m);
  t.regex(ls.stdout, new RegExp(`^localhost/t +1 +${id!.slice(0, 12)} +2\\.0 MB +\\d+s$`, 'm'));

  const record = await node.api.request<ImageRecord>('GET', `/images/${encodeURIComponent('localhost/t:1')}`);
  t.is(record.layers.length, 1);
  const layer = images(node, 'layers', record.layers[0]!.diffId.replace(':', '-'));
  t.is(sha(path.join(layer, 'bin/busybox')), sha('/bin/busybox'), 'the layer holds busybox, byte for byte');
  t.is(statSync(path.join(layer, 'bin/busybox')).mode & 0o777, 0o755, 'its mode is the tar\'s, not the daemon\'s umask');
  const before = await stat(layer);

  // The same image as an OCI archive, and the docker-archive again: nothing is unpacked again.
  for (const archive of [oci, docker]) {
    const again = await node.cli(['image', 'import', archive]);
    t.is(again.exitCode, 0, again.stderr);
    t.is(again.stdout.trim(), `${id} localhost/t:1`);
  }
  const { images: all } = await node.api.request<ImageList>('GET', '/images');
  t.is(all.length, 1);
  t.deepEqual(all[0]!.repoDigests.map((d) => d.split('@')[0]), ['localhost/t'], 'the OCI manifest digest is kept');
  t.deepEqual(await readdir(images(node, 'layers')), [path.basename(layer)]);
  t.is((await stat(layer)).ino, before.ino, 'the same layer directory: not unpacked again');

  const inspect = await node.cli(['image', 'inspect', id!.slice(0, 12)]);
  t.is((JSON.parse(inspect.stdout) as ImageRecord).id, id);

  const removed = await node.cli(['image', 'rm', 'localhost/t:1']);
  t.is(removed.exitCode, 0, removed.stderr);
  t.is(removed.stdout, `Untagged: localhost/t:1\nDeleted: ${id}\n`);
  for (const sub of ['images', 'layers', 'blobs/sha256', 'tmp']) t.deepEqual(await readdir(images(node, sub)), [], sub);
  const gone = await node.cli(['image', 'inspect', 'localhost/t:1']);
  t.is(gone.exitCode, 1);
  t.regex(gone.stderr, /^minipod: image localhost\/t:1 not found: nothing is pulled, import it with `minipod image import FILE`/);
});

test.serial('whiteouts are real overlayfs whiteouts: mounted in the node, the lower files they hide are gone', async (t) => {
  const built = await dockerArchive(work, {
    layers: [
      [{ path: 'etc/motd', body: 'hello' }, { path: 'etc/keep', body: 'k' }, { path: 'var/cache/old', body: 'o' }],
      [{ path: 'etc/.wh.motd', body: '' }, { path: 'var/cache/.wh..wh..opq', body: '' }, { path: 'var/cache/new', body: 'n' }, { path: 'run/initctl', type: 'FIFO', mode: 0o600 }],
    ],
    tags: ['localhost/wh:1'],
  }, { name: 'whiteouts.tar' });
  const imported = await node.cli(['image', 'import', built.file]);
  t.is(imported.exitCode, 0, imported.stderr);
  const [lower, upper] = built.diffIds.map((d) => images(node, 'layers', d.replace(':', '-')));
  const wh = await stat(path.join(upper!, 'etc/motd'));
  t.true(wh.isCharacterDevice() && wh.rdev === 0, 'etc/motd is a char device 0/0');
  t.true((await stat(path.join(upper!, 'run/initctl'))).isFIFO());
  t.regex((await execa('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', path.join(upper!, 'var/cache')])).stdout, /^y$/);
  // overlayfs reads them as whiteouts: in the node's own mount namespace, and unmounted after.
  const mnt = await mkdtemp(path.join(node.dir, 'overlay-'));
  t.teardown(() => rm(mnt, { recursive: true, force: true }));
  for (const d of ['upper', 'work', 'merged']) await mkdir(path.join(mnt, d));
  const mounted = await node.sh(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${upper}:${lower},upperdir=${mnt}/upper,workdir=${mnt}/work`, `${mnt}/merged`]);
  t.is(mounted.exitCode, 0, mounted.stderr);
  try {
    const ls = await node.sh(['ls', '-A', `${mnt}/merged/etc`, `${mnt}/merged/var/cache`]);
    t.is(ls.stdout, `${mnt}/merged/etc:\nkeep\n\n${mnt}/merged/var/cache:\nnew\n`);
  } finally {
    t.is((await node.sh(['umount', `${mnt}/merged`])).exitCode, 0);
  }
  t.is((await node.cli(['image', 'rm', 'localhost/wh:1'])).exitCode, 0);
  t.deepEqual(await readdir(images(node, 'layers')), []);
});

test.serial('bad input is refused with one line naming the cause, and nothing changes', async (t) => {
  const notTar = await node.cli(['image', 'import', '/etc/hostname']);
  t.is(notTar.exitCode, 1);
  t.regex(notTar.stderr, /^minipod: not a valid image archive: the file is not a readable tar or tar\.gz/);
  const truncated = path.join(work, 'truncated.tar');
  await execa('head', ['-c', '1000000', docker], { stdout: { file: truncated } });
  const cut = await node.cli(['image', 'import', truncated]);
  t.is(cut.exitCode, 1);
  t.regex(cut.stderr, /^minipod: not a valid image archive/);
  const badRef = await node.cli(['image', 'rm', 'Localhost/T']);
  t.is(badRef.exitCode, 1);
  t.regex(badRef.stderr, /^minipod: invalid image reference "Localhost\/T": the repository name must be lowercase\n$/);
  // An archive announced larger than 4 GiB is refused before a byte of it is read.
  const huge = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
    const req = http.request({ socketPath: node.socket, method: 'POST', path: '/v1/images', headers: { 'Content-Length': String(5 * 1024 ** 3) } });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.write(Buffer.alloc(1024));
  });
  t.is(huge.status, 413);
  t.regex(huge.body, /image archive of 5368709120 bytes: minipod imports archives of at most 4 GiB/);
  for (const sub of ['images', 'layers', 'blobs/sha256', 'tmp']) t.deepEqual(await readdir(images(node, sub)), [], sub);
});

test.serial('a daemon killed in the middle of an import leaves nothing half-made: images/tmp is empty after the restart', async (t) => {
  const bytes = readFileSync(docker);
  const req = http.request({ socketPath: node.socket, method: 'POST', path: '/v1/images', headers: { 'Content-Length': bytes.length } });
  req.on('error', () => {}); // the daemon dies under it
  req.write(bytes.subarray(0, bytes.length / 2));
  const upload = await waitFor(async () => {
    for (const d of await readdir(images(node, 'tmp'))) {
      const size = (await stat(path.join(images(node, 'tmp'), d, 'archive')).catch(() => undefined))?.size;
      if (size) return d;
    }
    return undefined;
  }, 'the upload to reach images/tmp', 10_000);
  t.truthy(upload, 'the upload is under way in tmp/');
  process.kill(node.pid, 'SIGKILL');
  req.destroy();
  await waitFor(async () => !(await stat(`/proc/${node.pid}`).catch(() => undefined)), 'the killed daemon to be gone', 10_000);
  t.not((await readdir(images(node, 'tmp'))).length, 0, 'the killed daemon left its upload');
  node = await restartTestNode(node);
  t.deepEqual(await readdir(images(node, 'tmp')), []);
  t.deepEqual((await node.api.request<ImageList>('GET', '/images')).images, []);
  // and the store works: the whole archive imports now
  t.is((await node.cli(['image', 'import', docker])).exitCode, 0);
  t.is((await node.cli(['image', 'rm', 'localhost/t:1'])).exitCode, 0);
  await assertNodeEmpty(t, node);
  for (const sub of ['images', 'layers', 'blobs/sha256', 'tmp']) t.deepEqual(await readdir(images(node, sub)), [], sub);
});
