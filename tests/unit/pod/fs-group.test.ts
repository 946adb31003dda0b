// fsGroup on a volume directory, as kubelet's SetVolumeOwnership: group, group rw (+x on
// directories), setgid on directories; symbolic links untouched; OnRootMismatch skips a volume
// whose top directory is already right. Runs on a temp dir: chown to a group needs root, so the
// group used is the test's own (chown to one's own gid is allowed), and the modes are checked.
import { chmod, lstat, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { applyFsGroup } from '../../../lib/pod/fs-group.js';

const gid = process.getgid!();
const mode = async (f: string) => (await lstat(f)).mode & 0o7777;

test('every file and directory gets the group, group rw, and directories setgid and search', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'fsgroup-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, 'sub'), { mode: 0o700 });
  await writeFile(path.join(dir, 'sub', 'f'), 'x', { mode: 0o600 });
  await symlink('/etc/passwd', path.join(dir, 'link'));
  await chmod(dir, 0o755);
  await applyFsGroup(dir, gid);
  t.is(await mode(dir), 0o2775);
  t.is(await mode(path.join(dir, 'sub')), 0o2770);
  t.is(await mode(path.join(dir, 'sub', 'f')), 0o660);
  t.is((await lstat(path.join(dir, 'sub', 'f'))).gid, gid);
  t.is((await lstat('/etc/passwd')).mode & 0o7777, 0o644, 'a link is not followed');
});

test('OnRootMismatch: a volume whose top directory is right is not walked; Always walks it', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'fsgroup-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await applyFsGroup(dir, gid);
  await writeFile(path.join(dir, 'later'), 'x', { mode: 0o600 });
  await applyFsGroup(dir, gid, 'OnRootMismatch');
  t.is(await mode(path.join(dir, 'later')), 0o600);
  await applyFsGroup(dir, gid, 'Always');
  t.is(await mode(path.join(dir, 'later')), 0o660);
});
