// Volumes (issue 12, point 5): an emptyDir is one directory that two busybox containers of a pod
// share, kept across a container restart, a sandbox recreation and a daemon restart, gone with the pod; a Memory
// emptyDir is a tmpfs in the node's mount namespace, unmounted with the pod; hostPath types are
// checked (a mismatch refuses the create and changes nothing); readOnly and subPath hold inside
// the containers; gc finds an orphan volume directory and --fix removes it.
import { existsSync } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { assertNodeEmpty, restartTestNode, snapshot, type TestNode } from '../helpers/node.js';
import { disposeImageNode, startImageNode } from '../helpers/seed.js';

let node: TestNode;

test.before(async () => {
  node = await startImageNode(['busybox.tar']);
});
test.after.always(() => disposeImageNode(node, ['busybox']));

/** Wait for every container Running (and restarted `restarts` times, sandbox attempt `attempt`). */
async function running(name: string, restarts = 0, attempt = 0): Promise<PodRecord> {
  const pod = await waitUntil(async () => {
    const p = await node.api.request<PodRecord>('GET', `/pods/${name}`);
    return p.phase === 'Running' && p.sandbox?.attempt === attempt && p.containers.every((c) => c.state === 'Running') && p.containers.reduce((n, c) => n + c.restartCount, 0) === restarts ? p : undefined;
  }, { timeoutMs: 20_000, everyMs: 100 });
  if (!pod) throw new Error(`pod ${name} never got running: ${JSON.stringify(await node.api.request('GET', `/pods/${name}`))}`);
  return pod;
}

/** `minipod exec` into a container; stdout, once the command succeeds (bounded). */
async function execOut(pod: string, c: string, script: string): Promise<string> {
  let last = '';
  const out = await waitUntil(async () => {
    const r = await node.cli(['exec', pod, '-c', c, '--', 'sh', '-c', script]);
    last = `exit ${r.exitCode}: ${r.stderr}`;
    return r.exitCode === 0 ? { stdout: r.stdout } : undefined; // '' is an answer too
  }, { timeoutMs: 10_000, everyMs: 100 });
  if (out === undefined) throw new Error(`exec ${script} in ${pod}/${c} never succeeded (${last})`);
  return out.stdout;
}

const uidOf = async (name: string) => (await node.api.request<PodRecord>('GET', `/pods/${name}`)).uid;
const volumesDir = (uid: string) => path.join(node.stateDir, 'volumes', uid);

const shared = {
  metadata: { name: 'share' },
  spec: {
    terminationGracePeriodSeconds: 1,
    volumes: [{ name: 'data', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }],
    containers: [
      // Each start adds a line: after a restart there are two.
      { name: 'writer', image: 'busybox', command: ['sh', '-c', 'echo run >> /data/runs; echo page > /data/site/index.html; echo fast > /mem/m; exec sleep 600'], volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'mem', mountPath: '/mem' }, { name: 'data', mountPath: '/data/site', subPath: 'site' }] },
      { name: 'reader', image: 'busybox', command: ['sleep', '600'], volumeMounts: [{ name: 'data', mountPath: '/shared', readOnly: true }, { name: 'data', mountPath: '/site', subPath: 'site' }, { name: 'mem', mountPath: '/mem' }] },
    ],
  },
};

test.serial('two containers share one emptyDir: what one writes the other reads; a Memory emptyDir is a tmpfs of its size in the node', async (t) => {
  await node.api.request<PodRecord>('POST', '/pods', shared);
  await running('share');
  t.is(await execOut('share', 'reader', 'cat /shared/runs'), 'run\n');
  t.is(await execOut('share', 'reader', 'cat /mem/m'), 'fast\n');
  const mem = path.join(volumesDir(await uidOf('share')), 'mem');
  const found = await node.sh(['findmnt', '-rn', '-o', 'FSTYPE,OPTIONS', mem]);
  t.regex(found.stdout, /^tmpfs \S*size=8192k/, `a tmpfs on ${mem} in the node's mount namespace`);
  t.true(existsSync(path.join(volumesDir(await uidOf('share')), 'data', 'runs')), 'the emptyDir is a directory under the state dir');
});

test.serial('readOnly refuses a write; subPath mounts the sub-directory (both ways)', async (t) => {
  const r = await node.cli(['exec', 'share', '-c', 'reader', '--', 'sh', '-c', 'echo x > /shared/y']);
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /Read-only file system/);
  t.is(await execOut('share', 'reader', 'cat /site/index.html'), 'page\n', 'the writer\'s /data/site/index.html is the reader\'s /site/index.html');
  await execOut('share', 'reader', 'echo back > /site/from-reader');
  t.is(await execOut('share', 'writer', 'cat /data/site/from-reader'), 'back\n');
});

test.serial('the data survives a container restart and a sandbox recreation (kill --sandbox)', async (t) => {
  t.is((await node.cli(['kill', 'share', '-c', 'writer'])).exitCode, 0);
  await running('share', 1);
  t.is(await execOut('share', 'reader', 'cat /shared/runs'), 'run\nrun\n', 'the restarted writer appended to the same file');
  t.is((await node.cli(['kill', 'share', '--sandbox'])).exitCode, 0);
  await running('share', 3, 1);
  t.is(await execOut('share', 'reader', 'cat /shared/runs'), 'run\nrun\nrun\n', 'the recreated containers have the same directory');
  t.is(await execOut('share', 'reader', 'cat /mem/m'), 'fast\n', 'and the same tmpfs');
});

test.serial('a daemon restart (node restart) keeps the volumes: the daemon start\'s gc leaves a live pod\'s alone', async (t) => {
  node = await restartTestNode(node);
  await running('share', 3, 1);
  t.is(await execOut('share', 'reader', 'cat /shared/runs; cat /mem/m'), 'run\nrun\nrun\nfast\n');
  t.regex((await node.cli(['gc'])).stdout, /nothing to collect/);
});

test.serial('rm deletes the volumes and unmounts the tmpfs', async (t) => {
  const dir = volumesDir(await uidOf('share'));
  t.is((await node.cli(['rm', '-f', 'share'])).exitCode, 0);
  t.false(existsSync(dir));
  t.is((await node.sh(['findmnt', '-rn', path.join(dir, 'mem')])).stdout, '');
  await assertNodeEmpty(t, node);
});

test.serial('fsGroup: the emptyDir is the group\'s (setgid), every container has the group, what one writes is the group\'s; Always re-owns at the next start', async (t) => {
  const manifest = {
    metadata: { name: 'fsg' },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsUser: 1000, fsGroup: 2000 },
      volumes: [{ name: 'data', emptyDir: {} }],
      containers: [
        { name: 'a', image: 'busybox', command: ['sleep', '600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] },
        { name: 'b', image: 'busybox', command: ['sleep', '600'], securityContext: { runAsUser: 1001 }, volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      ],
    },
  };
  await node.api.request('POST', '/pods', manifest);
  const p = await running('fsg');
  t.is(await execOut('fsg', 'b', 'id -G'), '0 2000\n', 'the fsGroup is an extra group');
  t.is(await execOut('fsg', 'a', 'umask'), '0022\n', "an exec's umask is a container's (runc's 022), not the daemon's 077");
  t.is(await execOut('fsg', 'a', 'echo e > /data/e; stat -c %a /data/e'), '644\n');
  t.is(await execOut('fsg', 'a', 'umask 077; echo a > /data/a; stat -c "%a %g" /data /data/a'), '2777 2000\n600 2000\n', 'made by a with umask 077: the group\'s (setgid), not group-readable');
  t.is((await node.cli(['exec', 'fsg', '-c', 'b', '--', 'cat', '/data/a'])).exitCode, 1, 'b cannot read it yet');
  // A new start of a container mounts the volume again: the walk gives the file group rw.
  t.is((await node.cli(['kill', 'fsg', '-c', 'a'])).exitCode, 0);
  await running('fsg', 1);
  t.is(await execOut('fsg', 'b', 'cat /data/a'), 'a\n', 'readable by b through the group');
  t.is((await node.cli(['rm', '-f', 'fsg'])).exitCode, 0);
  t.false(existsSync(volumesDir(p.uid)));
  await assertNodeEmpty(t, node);
});

test.serial('hostPath: each type is checked, the *OrCreate ones make what is missing', async (t) => {
  const host = path.join(node.dir, 'host');
  await mkdir(path.join(host, 'dir'), { recursive: true });
  await writeFile(path.join(host, 'file'), 'from the node\n');
  const vol = (name: string, p: string, type: string) => ({ name, hostPath: { path: p, type } });
  const m = {
    metadata: { name: 'hp' },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      volumes: [vol('dir', path.join(host, 'dir'), 'Directory'), vol('mk', path.join(host, 'made'), 'DirectoryOrCreate'), vol('file', path.join(host, 'file'), 'File'), vol('fmk', path.join(host, 'new', 'f'), 'FileOrCreate'), vol('sock', node.socket, 'Socket'), vol('null', '/dev/null', 'CharDevice'), vol('any', path.join(host, 'dir'), '')],
      containers: [{
        name: 'c',
        image: 'busybox',
        command: ['sh', '-c', 'test -d /dir && test -d /mk && cat /file && test -f /fmk && test -S /sock && test -c /null && echo hi > /any/written && echo ok'],
        volumeMounts: ['dir', 'mk', 'file', 'fmk', 'sock', 'null', 'any'].map((n) => ({ name: n, mountPath: `/${n}` })),
      }],
    },
  };
  await node.api.request<PodRecord>('POST', '/pods', m);
  const out = await waitUntil(async () => ((await node.cli(['logs', 'hp'])).stdout.includes('ok') ? (await node.cli(['logs', 'hp'])).stdout : undefined), { timeoutMs: 15_000, everyMs: 100 });
  t.is(out, 'from the node\nok\n');
  t.true(existsSync(path.join(host, 'made')) && existsSync(path.join(host, 'new', 'f')), 'made on the node');
  const mode = async (p: string) => ((await stat(p)).mode & 0o777).toString(8);
  t.deepEqual(await Promise.all([mode(path.join(host, 'made')), mode(path.join(host, 'new')), mode(path.join(host, 'new', 'f'))]), ['755', '755', '644'], "kubelet's modes, not the daemon's umask 077");
  t.true(existsSync(path.join(host, 'dir', 'written')), 'the container wrote to the node\'s directory');
  t.is((await node.cli(['rm', '-f', 'hp'])).exitCode, 0);
  t.true(existsSync(path.join(host, 'dir', 'written')), 'a hostPath is the node\'s: rm leaves it');
});

test.serial('a hostPath type mismatch refuses the create, naming the field and the path, and changes nothing', async (t) => {
  const file = path.join(node.dir, 'host', 'file');
  const manifest = path.join(node.dir, 'mismatch.json');
  await writeFile(manifest, JSON.stringify({ metadata: { name: 'bad' }, spec: { volumes: [{ name: 'v', hostPath: { path: file, type: 'Directory' } }, { name: 'w', hostPath: { path: path.join(node.dir, 'nowhere'), type: 'Socket' } }], containers: [{ name: 'c', image: 'busybox', command: ['true'], volumeMounts: [{ name: 'v', mountPath: '/v' }] }] } }));
  const before = await snapshot(node);
  const r = await node.cli(['run', '-f', manifest]);
  t.is(r.exitCode, 1);
  t.true(r.stderr.includes(`spec.volumes[0].hostPath.type: Directory, but "${file}" is not a directory on the node`), r.stderr);
  t.true(r.stderr.includes(`spec.volumes[1].hostPath.type: Socket, but "${path.join(node.dir, 'nowhere')}" does not exist on the node`), r.stderr);
  t.deepEqual(await snapshot(node), before, 'nothing changed');
});

test.serial('a hostPath gone at a container\'s restart: Waiting with RunContainerError naming the field, running again once it is back', async (t) => {
  const dir = path.join(node.dir, 'host', 'comes-and-goes');
  await mkdir(dir, { recursive: true });
  await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'hpr' }, spec: { terminationGracePeriodSeconds: 1, volumes: [{ name: 'v', hostPath: { path: dir, type: 'Directory' } }], containers: [{ name: 'c', image: 'busybox', command: ['sleep', '600'], volumeMounts: [{ name: 'v', mountPath: '/v' }] }] } });
  await running('hpr');
  await rename(dir, `${dir}.away`);
  t.is((await node.cli(['kill', 'hpr', '-c', 'c'])).exitCode, 0);
  const waiting = await waitUntil(async () => {
    const c = (await node.api.request<PodRecord>('GET', '/pods/hpr')).containers[0]!;
    return c.state === 'Waiting' && c.reason === 'RunContainerError' ? c : undefined;
  }, { timeoutMs: 20_000, everyMs: 100 });
  t.is(waiting?.message, `spec.volumes[0].hostPath.type: Directory, but "${dir}" does not exist on the node (use DirectoryOrCreate to make it)`);
  await rename(`${dir}.away`, dir);
  await running('hpr', 1);
  t.is((await node.cli(['rm', '-f', 'hpr'])).exitCode, 0);
});

test.serial('volumeMounts on a container without an image are refused with why', async (t) => {
  const manifest = path.join(node.dir, 'noimage.json');
  await writeFile(manifest, JSON.stringify({ metadata: { name: 'bad' }, spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'c', command: ['true'], volumeMounts: [{ name: 'v', mountPath: '/v' }] }] } }));
  const r = await node.cli(['run', '-f', manifest]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /spec\.containers\[0\]\.volumeMounts\[0\]: needs an image: a container without one runs on the node's own filesystem/);
});

test.serial('gc lists an orphan volume directory (and its tmpfs) with its origin; --fix removes them', async (t) => {
  const dir = volumesDir('orphanuid0000');
  await mkdir(path.join(dir, 'cache'), { recursive: true });
  await writeFile(path.join(dir, '.pod'), 'ghost\n');
  t.is((await node.sh(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'orphan', path.join(dir, 'cache')])).exitCode, 0);
  const listed = await node.cli(['gc']);
  t.true(listed.stdout.includes(`the emptyDir volumes (cache) of pod ghost uid orphanuid0000, which no pod record names (a crash mid-create or mid-removal); a tmpfs is still mounted on ${path.join(dir, 'cache')}`), listed.stdout);
  t.regex(listed.stdout, new RegExp(`^volume +${dir.replaceAll('/', '\\/')} `, 'm'));
  t.is((await node.cli(['gc', '--fix'])).exitCode, 0);
  t.false(existsSync(dir));
  t.regex((await node.cli(['gc'])).stdout, /nothing to collect/);
  await assertNodeEmpty(t, node);
});
