import { chmodSync, existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { x } from 'tar';
import { MinipodError } from '../../../lib/errors.js';
import { unpackLayer } from '../../../lib/image/layers.js';
import { FakeHost } from '../../../lib/os/fake.js';
import { useHost } from '../../../lib/os/host.js';
import { tarOf, type TarEntry } from '../../helpers/tar.js';
import { tempDir } from '../../helpers/temp.js';

async function layerFile(dir: string, entries: TarEntry[], opts: { gzip?: boolean } = {}): Promise<string> {
  const file = path.join(dir, `layer-${Math.random()}.tar`);
  await writeFile(file, tarOf(entries, opts));
  return file;
}

async function refused(t: import('ava').ExecutionContext, entries: TarEntry[], what: RegExp): Promise<void> {
  const dir = await tempDir(t, 'minipod-layer-');
  const dest = path.join(dir, 'layer');
  const err = await t.throwsAsync(unpackLayer(await layerFile(dir, entries), dest, 'L'), { instanceOf: MinipodError });
  t.is(err!.code, 'INVALID_ARGUMENT');
  t.regex(err!.message, what);
  t.false(existsSync(dest), 'nothing was written');
}

test('files, directories, symlinks and hard links unpack with their modes; the diffID is the plain tar sha256', async (t) => {
  const dir = await tempDir(t, 'minipod-layer-');
  const entries: TarEntry[] = [
    { path: 'bin/', type: 'Directory' },
    { path: 'bin/busybox', body: 'ELF', mode: 0o755 },
    { path: 'bin/sh', type: 'SymbolicLink', linkpath: 'busybox' },
    { path: 'bin/ls', type: 'Link', linkpath: 'bin/busybox' },
    { path: 'etc/abs', type: 'SymbolicLink', linkpath: '/etc/passwd' },
    { path: 'usr/bin/su', body: 's', mode: 0o4755 },
    { path: 'tmp/', type: 'Directory', mode: 0o1777 },
    { path: 'ro/', type: 'Directory', mode: 0o555 },
    { path: 'ro/f', body: 'r', mode: 0o400 },
    { path: 'implicit/dir/f', body: 'i', mode: 0o640 },
    { path: 'l1', type: 'SymbolicLink', linkpath: 'x' },
    { path: 'l1', body: 'a file replaces the symlink' },
    { path: 'l2', body: 'a symlink replaces the file' },
    { path: 'l2', type: 'SymbolicLink', linkpath: '../../outside' },
  ];
  const file = await layerFile(dir, entries, { gzip: true });
  const { createHash } = await import('node:crypto');
  const diffId = `sha256:${createHash('sha256').update(tarOf(entries)).digest('hex')}`;
  const dest = path.join(dir, 'layer');
  const got = await unpackLayer(file, dest, 'L', diffId);
  t.is(got.diffId, diffId);
  t.is(got.size, tarOf(entries).length);
  t.is(readFileSync(path.join(dest, 'bin/busybox'), 'utf8'), 'ELF');
  t.is(lstatSync(path.join(dest, 'bin/busybox')).mode & 0o7777, 0o755);
  t.is(readlinkSync(path.join(dest, 'bin/sh')), 'busybox');
  t.is(lstatSync(path.join(dest, 'bin/ls')).ino, lstatSync(path.join(dest, 'bin/busybox')).ino);
  t.is(readlinkSync(path.join(dest, 'etc/abs')), '/etc/passwd', 'a symlink may point anywhere');
  t.is(lstatSync(path.join(dest, 'usr/bin/su')).mode & 0o7777, 0o4755, 'setuid kept');
  t.is(lstatSync(path.join(dest, 'tmp')).mode & 0o7777, 0o1777, 'sticky kept');
  t.is(lstatSync(dest).mode & 0o777, 0o755);
  t.is(lstatSync(path.join(dest, 'ro')).mode & 0o7777, 0o555);
  t.is(lstatSync(path.join(dest, 'ro/f')).mode & 0o7777, 0o400);
  chmodSync(path.join(dest, 'ro'), 0o755); // so that a non-root run can remove its temp dir
  t.is(lstatSync(path.join(dest, 'implicit')).mode & 0o7777, 0o755, 'a directory the tar does not list: 0755');
  t.is(lstatSync(path.join(dest, 'implicit/dir/f')).mode & 0o7777, 0o640);
  t.is(readFileSync(path.join(dest, 'l1'), 'utf8'), 'a file replaces the symlink');
  t.is(readlinkSync(path.join(dest, 'l2')), '../../outside', 'a relative target that climbs out is kept: it resolves in the container');
});

test.serial('modes are the tar\'s whatever the umask (the daemon runs with 077)', async (t) => {
  const dir = await tempDir(t, 'minipod-layer-');
  const was = process.umask(0o077);
  t.teardown(() => process.umask(was));
  const dest = path.join(dir, 'layer');
  await unpackLayer(await layerFile(dir, [{ path: 'bin/busybox', body: 'ELF', mode: 0o755 }, { path: 'etc/', type: 'Directory', mode: 0o755 }, { path: 'etc/passwd', body: 'p', mode: 0o644 }]), dest, 'L');
  t.is(lstatSync(path.join(dest, 'bin')).mode & 0o7777, 0o755);
  t.is(lstatSync(path.join(dest, 'bin/busybox')).mode & 0o7777, 0o755);
  t.is(lstatSync(path.join(dest, 'etc')).mode & 0o7777, 0o755);
  t.is(lstatSync(path.join(dest, 'etc/passwd')).mode & 0o7777, 0o644);
});

test('a diffID other than the config says is refused', async (t) => {
  const dir = await tempDir(t, 'minipod-layer-');
  const dest = path.join(dir, 'layer');
  const err = await t.throwsAsync(unpackLayer(await layerFile(dir, [{ path: 'a', body: 'x' }]), dest, 'L', `sha256:${'0'.repeat(64)}`));
  t.regex(err!.message, /layer L does not match the image config: its uncompressed digest is sha256:[0-9a-f]{64}, the config's rootfs.diff_ids says sha256:0{64}/);
  t.false(existsSync(dest));
});

test('an absolute path is refused', (t) => refused(t, [{ path: '/etc/passwd', body: 'x' }], /entry "\/etc\/passwd" has an absolute path/));
test('a .. component is refused', (t) => refused(t, [{ path: 'a/../../etc/passwd', body: 'x' }], /entry "a\/..\/..\/etc\/passwd" has a ".." component/));
test('a hard link to an absolute target is refused', (t) => refused(t, [{ path: 'x', type: 'Link', linkpath: '/etc/shadow' }], /entry "x" has an absolute hard link target/));
test('a hard link that escapes is refused', (t) => refused(t, [{ path: 'x', type: 'Link', linkpath: '../etc/shadow' }], /entry "x" has a ".." component in its hard link target/));
test('a hard link through a symlink is refused', (t) => refused(t, [{ path: 'a', type: 'SymbolicLink', linkpath: '/etc' }, { path: 'x', type: 'Link', linkpath: 'a/shadow' }], /entry "x" would be written through the symlink "a"/));
test('a char device is refused', (t) => refused(t, [{ path: 'dev/mem', type: 'CharacterDevice', devmaj: 1, devmin: 1 }], /entry "dev\/mem" is a device node/));
test('a block device is refused', (t) => refused(t, [{ path: 'sda', type: 'BlockDevice', devmaj: 8 }], /entry "sda" is a device node/));
test('writing through a symlink the layer made is refused', (t) => refused(t, [{ path: 'a', type: 'SymbolicLink', linkpath: '/etc' }, { path: 'a/passwd', body: 'root::0:0::/:/bin/sh\n' }], /entry "a\/passwd" would be written through the symlink "a"/));
test('a truncated layer is refused', async (t) => {
  const dir = await tempDir(t, 'minipod-layer-');
  const file = path.join(dir, 'l.tar.gz');
  const whole = tarOf([{ path: 'a', body: 'x'.repeat(5000) }], { gzip: true });
  await writeFile(file, whole.subarray(0, whole.length - 30));
  const err = await t.throwsAsync(unpackLayer(file, path.join(dir, 'layer'), 'L'));
  t.regex(err!.message, /layer L is not a readable tar.gz \(corrupt or truncated\)/);
});
test('a zstd layer is refused as not supported', async (t) => {
  const dir = await tempDir(t, 'minipod-layer-');
  const file = path.join(dir, 'l.tar.zst');
  await writeFile(file, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
  const err = await t.throwsAsync(unpackLayer(file, path.join(dir, 'layer'), 'L'));
  t.regex(err!.message, /layer L is zstd-compressed, which minipod does not support/);
});

test('node-tar on its own never writes through a symlink (a -> outside, then a/passwd)', async (t) => {
  const dir = await tempDir(t, 'minipod-layer-');
  const outside = path.join(dir, 'outside');
  await mkdir(outside);
  const file = await layerFile(dir, [{ path: 'a', type: 'SymbolicLink', linkpath: outside }, { path: 'a/passwd', body: 'owned' }]);
  await mkdir(path.join(dir, 'dest'));
  await mkdir(path.join(dir, 'dest2'));
  const warnings: string[] = [];
  await x({ file, cwd: path.join(dir, 'dest'), onwarn: (code, message) => warnings.push(`${code}: ${String(message)}`) });
  t.false(existsSync(path.join(outside, 'passwd')), 'the symlink target was not written');
  t.true(warnings.some((w) => /symlink|symbolic link/i.test(w)), warnings.join('\n'));
  // and why minipod makes symlinks itself: node-tar rewrites an absolute target as a host path would be
  t.true(warnings.some((w) => /stripping \/ from absolute linkpath/.test(w)));
  await t.throwsAsync(x({ file, cwd: path.join(dir, 'dest2'), strict: true }));
});

test.serial('whiteouts become overlayfs whiteouts through the door: mknod c 0 0 and the opaque xattr; a FIFO is mknod p', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  fake.commands.set('mknod', (argv) => (writeFileSync(argv[1]!, ''), '')); // a node stands in for the device or FIFO
  const dir = await tempDir(t, 'minipod-layer-');
  const dest = path.join(dir, 'layer');
  await unpackLayer(await layerFile(dir, [
    { path: 'etc/', type: 'Directory' },
    { path: 'etc/.wh.motd', body: '' },
    { path: 'var/cache/.wh..wh..opq', body: '' },
    { path: 'var/cache/new', body: 'n' },
    { path: '.wh.old', body: '' },
    { path: 'run/initctl', type: 'FIFO', mode: 0o600 },
  ]), dest, 'L');
  t.deepEqual(fake.lines('run '), [
    `run mknod ${dest}/run/initctl p`,
    `run setfattr -n trusted.overlay.opaque -v y ${dest}/var/cache`,
    `run mknod ${dest}/etc/motd c 0 0`,
    `run mknod ${dest}/old c 0 0`,
  ]);
  t.false(existsSync(path.join(dest, 'etc/.wh.motd')), 'whiteout files are not unpacked');
  t.is(readFileSync(path.join(dest, 'var/cache/new'), 'utf8'), 'n');
});

test('a whiteout of no valid name is refused', (t) => refused(t, [{ path: 'a/.wh.', body: '' }], /entry "a\/.wh." is a whiteout of no valid name/));
