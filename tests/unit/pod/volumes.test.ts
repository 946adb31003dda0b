// The node side of volumes that needs no root: hostPath type checks, subPath resolution, removal
// and gc's view of an orphan directory (on a temporary state dir, no mounts). Mounts: integration.
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { validateManifest } from '../../../lib/manifest/parse.js';
import { checkHostPath, containerBinds, hostPathProblems, orphanVolumes, podVolumesDir, removePodVolumes } from '../../../lib/pod/volumes.js';
import { tempDir } from '../../helpers/temp.js';

test('hostPath types: each checks what it says, the *OrCreate ones make a missing path only when asked', async (t) => {
  const dir = await tempDir(t, 'minipod-vol-');
  const file = path.join(dir, 'f');
  await writeFile(file, 'x');
  const sock = path.join(dir, 's');
  const server = net.createServer().listen(sock);
  await new Promise((r) => server.once('listening', r));
  t.teardown(() => server.close());
  for (const [p, type] of [[dir, ''], [dir, 'Directory'], [dir, 'DirectoryOrCreate'], [file, 'File'], [file, 'FileOrCreate'], [sock, 'Socket'], ['/dev/null', 'CharDevice'], [path.join(dir, 'none'), '']] as const) await t.notThrowsAsync(checkHostPath(p, type, 'at', false), `${p} ${type}`);
  const mismatch = await t.throwsAsync(checkHostPath(file, 'Directory', 'spec.volumes[0].hostPath.type', false), { instanceOf: MinipodError });
  t.is(mismatch!.message, `spec.volumes[0].hostPath.type: Directory, but "${file}" is not a directory on the node`);
  await t.throwsAsync(checkHostPath(dir, 'Socket', 'at', false), { message: `at: Socket, but "${dir}" is not a unix socket on the node` });
  await t.throwsAsync(checkHostPath(path.join(dir, 'none'), 'File', 'at', false), { message: `at: File, but "${path.join(dir, 'none')}" does not exist on the node (use FileOrCreate to make it)` });
  await checkHostPath(path.join(dir, 'new', 'sub'), 'DirectoryOrCreate', 'at', false);
  t.false(existsSync(path.join(dir, 'new')), 'the early check makes nothing');
  await checkHostPath(path.join(dir, 'new', 'sub'), 'DirectoryOrCreate', 'at', true);
  await checkHostPath(path.join(dir, 'p', 'file'), 'FileOrCreate', 'at', true);
  t.true(existsSync(path.join(dir, 'new', 'sub')));
  t.is(await readFile(path.join(dir, 'p', 'file'), 'utf8'), '');
});

test('hostPathProblems lists every mismatching volume by its index', async (t) => {
  const dir = await tempDir(t, 'minipod-vol-');
  const problems = await hostPathProblems([{ name: 'a', hostPath: { path: dir, type: 'Directory' } }, { name: 'b', hostPath: { path: dir, type: 'File' } }, { name: 'c', emptyDir: { medium: '' } }]);
  t.deepEqual(problems, [`spec.volumes[1].hostPath.type: File, but "${dir}" is not a regular file on the node`]);
});

test('an emptyDir is STATE/volumes/UID/NAME, one directory for every mount of it; subPath is made inside, removal deletes it all', async (t) => {
  const state = await tempDir(t, 'minipod-vol-');
  const m = validateManifest({ metadata: { name: 'web' }, spec: { volumes: [{ name: 'data', emptyDir: {} }], containers: [{ name: 'a', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'data', mountPath: '/html', subPath: 'site/html', readOnly: true }] }] } });
  const pod = { name: 'web', namespace: 'default', uid: 'u-1', manifest: m };
  const binds = await containerBinds(state, pod, m.spec.containers[0]!);
  const dir = path.join(podVolumesDir(state, 'u-1'), 'data');
  t.deepEqual(binds, [{ source: dir, destination: '/data', readOnly: false }, { source: path.join(dir, 'site/html'), destination: '/html', readOnly: true }]);
  t.true(existsSync(path.join(dir, 'site/html')));
  t.deepEqual(await orphanVolumes(state, new Set(['u-1'])), [], 'owned: no orphan');
  const [orphan] = await orphanVolumes(state, new Set());
  t.is(orphan!.dir, podVolumesDir(state, 'u-1'));
  t.is(orphan!.origin, 'the emptyDir volumes (data) of pod web uid u-1, which no pod record names (a crash mid-create or mid-removal)');
  await removePodVolumes(state, 'u-1');
  t.false(existsSync(podVolumesDir(state, 'u-1')));
  await t.notThrowsAsync(removePodVolumes(state, 'u-1'), 'again: nothing to do');
});

test('a subPath that leads out of its volume through a symbolic link is refused', async (t) => {
  const state = await tempDir(t, 'minipod-vol-');
  const m = validateManifest({ metadata: { name: 'web' }, spec: { volumes: [{ name: 'data', emptyDir: {} }], containers: [{ name: 'a', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/x', subPath: 'out' }] }] } });
  const dir = path.join(podVolumesDir(state, 'u-2'), 'data');
  await mkdir(dir, { recursive: true });
  await symlink('/etc', path.join(dir, 'out'));
  await t.throwsAsync(containerBinds(state, { name: 'web', namespace: 'default', uid: 'u-2', manifest: m }, m.spec.containers[0]!), { message: 'container a: volumeMounts[0].subPath: "out" leads out of the volume (to "/etc", through a symbolic link)' });
});
