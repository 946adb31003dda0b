// The OCI config of an image container, and a program looked up inside an image's layers.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { containerArgv, containerEnv, imageUser } from '../../../lib/manifest/command.js';
import { validateManifest } from '../../../lib/manifest/parse.js';
import { findInImage } from '../../../lib/runtime/image-files.js';
import { containerResources } from '../../../lib/manifest/resources.js';
import { DEFAULT_PIDS_LIMIT } from '../../../lib/cgroup/pod-pids.js';
import { DEFAULT_CAPABILITIES, hostsFile, ociConfig } from '../../../lib/runtime/oci-config.js';
import { tempDir } from '../../helpers/temp.js';

const input: Parameters<typeof ociConfig>[0] = { sandboxPid: 4242, rootfs: '/b/rootfs', argv: ['/bin/sh'], env: { PATH: '/bin', A: 'b=c' }, cwd: '/', user: { uid: 0, gid: 0 }, etc: { hosts: '/b/hosts', hostname: '/b/hostname', resolvConf: '/b/resolv.conf' }, cgroupsPath: '/n/pod-x/app', resources: { memoryLimit: null, cpuLimit: null, cpuRequest: null }, pidsLimit: DEFAULT_PIDS_LIMIT };

test('the pod\'s net, uts and ipc are joined by path through the holder; pid and mount are the container\'s own', (t) => {
  const c = ociConfig(input) as { linux: { namespaces: { type: string; path?: string }[]; cgroupsPath: string } };
  t.deepEqual(c.linux.namespaces, [{ type: 'pid' }, { type: 'mount' }, { type: 'network', path: '/proc/4242/ns/net' }, { type: 'uts', path: '/proc/4242/ns/uts' }, { type: 'ipc', path: '/proc/4242/ns/ipc' }]);
  t.is(c.linux.cgroupsPath, '/n/pod-x/app');
  t.false('hostname' in c, 'the UTS namespace is the pod\'s: runc refuses a hostname there');
});

test('runc\'s defaults for a non-privileged container, and the pod\'s files bound read-only', (t) => {
  const c = ociConfig(input) as { process: { noNewPrivileges: boolean; env: string[]; capabilities: { bounding: string[] } }; mounts: { destination: string; options?: string[] }[]; linux: { maskedPaths: string[]; readonlyPaths: string[] } };
  t.true(c.process.noNewPrivileges);
  t.deepEqual(c.process.capabilities.bounding, DEFAULT_CAPABILITIES);
  t.deepEqual(c.process.env, ['PATH=/bin', 'A=b=c']);
  t.true(c.linux.maskedPaths.includes('/proc/kcore'));
  t.true(c.linux.readonlyPaths.includes('/proc/sys'));
  for (const f of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) t.true(c.mounts.find((m) => m.destination === f)!.options!.includes('ro'), f);
  t.true(c.mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'));
});

type Resources = { linux: { resources?: { memory?: { limit: number; swap: number }; cpu?: { shares?: number; quota?: number; period?: number }; pids: { limit: number } } } };
const withResources = (resources: Record<string, unknown>, extra: Partial<Parameters<typeof ociConfig>[0]> = {}) => {
  const spec = validateManifest({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox', resources }] } }).spec.containers[0]!;
  return (ociConfig({ ...input, resources: containerResources(spec), ...extra }) as Resources).linux.resources;
};

test('limits.memory is the memory limit, and swap the same (no swap); limits.cpu a CFS quota of a 100 ms period', (t) => {
  t.deepEqual(withResources({ limits: { memory: '512Mi', cpu: '250m' } }), { memory: { limit: 512 * 2 ** 20, swap: 512 * 2 ** 20 }, cpu: { shares: 256, quota: 25_000, period: 100_000 }, pids: { limit: DEFAULT_PIDS_LIMIT } }, 'a request defaults to the limit, as in Kubernetes');
  t.deepEqual(withResources({ limits: { memory: '1G', cpu: 2 } })!.cpu, { shares: 2048, quota: 200_000, period: 100_000 });
  t.is(withResources({ limits: { memory: '1G' } })!.memory!.limit, 1e9);
  t.is(withResources({ limits: { cpu: '1m' } })!.cpu!.quota, 1000, 'kubelet\'s minimum quota: 1 ms');
});

test('requests.cpu gives cpu.shares by kubelet\'s formula (milliCPU * 1024 / 1000, at least 2); no request, the runtime\'s default', (t) => {
  t.deepEqual(withResources({ requests: { cpu: '0.5', memory: '64Mi' } }), { cpu: { shares: 512 }, pids: { limit: DEFAULT_PIDS_LIMIT } }, 'a memory request sets no limit');
  t.is(withResources({ requests: { cpu: '1m' } })!.cpu!.shares, 2);
  t.is(withResources({ requests: { cpu: '100m' }, limits: { cpu: '1' } })!.cpu!.shares, 102);
  t.deepEqual(withResources({}), { pids: { limit: DEFAULT_PIDS_LIMIT } }, 'every container has a pids limit');
  t.deepEqual(withResources({}, { pidsLimit: 50 }), { pids: { limit: 50 } });
});

test('without a cgroup, no resources (runc would have nowhere to apply them)', (t) => {
  t.is(withResources({ limits: { memory: '16Mi' } }, { cgroupsPath: null }), undefined);
});

test('/etc/hosts names the pod on its IP, after localhost', (t) => {
  t.regex(hostsFile('web', '10.88.0.7'), /^127\.0\.0\.1\tlocalhost$/m);
  t.regex(hostsFile('web', '10.88.0.7'), /^10\.88\.0\.7\tweb$/m);
});

test('Kubernetes\' rules for command, args, ENTRYPOINT and CMD', (t) => {
  const image = { Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['httpd-foreground'] };
  const spec = (c: Record<string, unknown>) => validateManifest({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'httpd', ...c }] } }).spec.containers[0]!;
  t.deepEqual(containerArgv(spec({}), image), ['/docker-entrypoint.sh', 'httpd-foreground']);
  t.deepEqual(containerArgv(spec({ args: ['-X'] }), image), ['/docker-entrypoint.sh', '-X']);
  t.deepEqual(containerArgv(spec({ command: ['sh'] }), image), ['sh'], 'command replaces ENTRYPOINT and drops CMD');
  t.deepEqual(containerArgv(spec({ command: ['sh'], args: ['-c', 'x'] }), image), ['sh', '-c', 'x']);
  t.deepEqual(containerEnv(spec({ env: [{ name: 'B', value: '2' }] }), 'p', { Env: ['PATH=/usr/bin', 'B=1', 'C=3=3'] }), { PATH: '/usr/bin', B: '2', C: '3=3', HOSTNAME: 'p' });
});

test('a container without an image still needs a command', (t) => {
  const err = t.throws(() => validateManifest({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } }));
  t.regex(err!.message, /spec\.containers\[0\]\.command: is required when there is no image/);
});

test('the image\'s User: numeric only', (t) => {
  t.deepEqual(imageUser(''), { uid: 0, gid: 0 });
  t.deepEqual(imageUser('1000'), { uid: 1000, gid: 1000 });
  t.deepEqual(imageUser('1000:50'), { uid: 1000, gid: 50 });
  t.is(imageUser('www-data'), undefined);
});

test('a program is found in the highest layer that has it, by PATH or by path', async (t) => {
  const dir = await tempDir(t, 'minipod-layers-');
  const [low, high] = [path.join(dir, 'low'), path.join(dir, 'high')];
  await mkdir(path.join(low, 'bin'), { recursive: true });
  await mkdir(path.join(high, 'usr/bin'), { recursive: true });
  await writeFile(path.join(low, 'bin/busybox'), '');
  await symlink('busybox', path.join(low, 'bin/sh'));
  await writeFile(path.join(high, 'usr/bin/app'), '');
  t.is(await findInImage('sh', '/usr/bin:/bin', '/', [low, high]), '/bin/sh');
  t.is(await findInImage('app', '/usr/bin:/bin', '/', [low, high]), '/usr/bin/app');
  t.is(await findInImage('./busybox', '/usr/bin', '/bin', [low, high]), '/bin/busybox');
  t.is(await findInImage('nope', '/usr/bin:/bin', '/', [low, high]), undefined);
  t.is(await findInImage('busybox', 'bin:/sbin', '/', [low, high]), undefined, 'a relative PATH entry is never searched');
});

test('a directory symlink is followed inside the image, across layers (merged usr: sbin -> usr/sbin)', async (t) => {
  const dir = await tempDir(t, 'minipod-layers-');
  const [base, app] = [path.join(dir, 'base'), path.join(dir, 'app')];
  await mkdir(path.join(base, 'usr/sbin'), { recursive: true });
  await symlink('usr/sbin', path.join(base, 'sbin'));
  await symlink('/usr/sbin', path.join(base, 'abs'));
  await mkdir(path.join(app, 'usr/sbin'), { recursive: true });
  await writeFile(path.join(app, 'usr/sbin/tini'), '');
  t.is(await findInImage('/sbin/tini', '/bin', '/', [base, app]), '/sbin/tini');
  t.is(await findInImage('tini', '/abs', '/', [base, app]), '/abs/tini', 'an absolute link target is the image\'s root, not the host\'s');
  t.is(await findInImage('/sbin/nope', '/bin', '/', [base, app]), undefined);
});

test('volumes are bound recursively and privately, after the pod\'s files, read-only when so mounted', (t) => {
  const c = ociConfig({ ...input, volumes: [{ source: '/s/v/u/data', destination: '/data', readOnly: false }, { source: '/srv/html', destination: '/html', readOnly: true }] }) as { mounts: unknown[] };
  t.deepEqual(c.mounts.slice(-2), [
    { destination: '/data', type: 'bind', source: '/s/v/u/data', options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/html', type: 'bind', source: '/srv/html', options: ['rbind', 'rprivate', 'ro'] },
  ]);
  t.is((ociConfig(input) as { mounts: unknown[] }).mounts.length, c.mounts.length - 2, 'none without volumes');
});
