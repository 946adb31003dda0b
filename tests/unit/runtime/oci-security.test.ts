// securityContext in the OCI config: process.user, the capability sets, no_new_privs, a read-only
// root and privileged's unmasked /proc; and the manifest errors that name the field.
import test from 'ava';
import { deviceOf } from '../../../lib/runtime/host-devices.js';
import { validateManifest } from '../../../lib/manifest/parse.js';
import { effectiveSecurity, runAs } from '../../../lib/manifest/security.js';
import { DEFAULT_PIDS_LIMIT } from '../../../lib/cgroup/pod-pids.js';
import { ociConfig } from '../../../lib/runtime/oci-config.js';
import { ALL_CAPABILITIES, boundingSet, capabilitySet, DEFAULT_CAPABILITIES } from '../../../lib/runtime/oci-security.js';

const input: Parameters<typeof ociConfig>[0] = { sandboxPid: 4242, rootfs: '/b/rootfs', argv: ['/bin/sh'], env: {}, cwd: '/', user: { uid: 0, gid: 0 }, etc: { hosts: '/b/hosts', hostname: '/b/hostname', resolvConf: '/b/resolv.conf' }, cgroupsPath: null, resources: { memoryLimit: null, cpuLimit: null, cpuRequest: null }, pidsLimit: DEFAULT_PIDS_LIMIT };

type Config = {
  process: { user: { uid: number; gid: number; umask?: number; additionalGids?: number[] }; noNewPrivileges: boolean; capabilities: Record<string, string[]> };
  root: { readonly: boolean };
  mounts: { destination: string; options?: string[] }[];
  linux: { maskedPaths: string[]; readonlyPaths: string[] };
};

/** The config of container `c` of a pod with these securityContexts, over an image whose user is `image`. */
function config(container: Record<string, unknown> | undefined, pod?: Record<string, unknown>, image = { uid: 0, gid: 0 }): Config {
  const m = validateManifest({ metadata: { name: 'p' }, spec: { ...(pod ? { securityContext: pod } : {}), containers: [{ name: 'c', image: 'busybox', ...(container ? { securityContext: container } : {}) }] } });
  const s = effectiveSecurity(m.spec.securityContext, m.spec.containers[0]!.securityContext);
  return ociConfig({ ...input, user: runAs(s, image), security: s }) as Config;
}

const invalid = (spec: Record<string, unknown>) => () => validateManifest({ metadata: { name: 'p' }, spec });

test('no securityContext: the image\'s user, runc\'s default capabilities (no ambient set), no_new_privs, a writable root, /proc masked', (t) => {
  const c = config(undefined, undefined, { uid: 7, gid: 8 });
  t.deepEqual(c.process.user, { uid: 7, gid: 8, umask: 0o022 });
  t.deepEqual(c.process.capabilities, { bounding: DEFAULT_CAPABILITIES, effective: DEFAULT_CAPABILITIES, permitted: DEFAULT_CAPABILITIES });
  t.true(c.process.noNewPrivileges);
  t.false(c.root.readonly);
  t.true(c.linux.maskedPaths.includes('/proc/kcore'));
  t.true(c.mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'));
});

test('runAsUser and runAsGroup override the image\'s user; the container\'s override the pod\'s; runAsUser alone has gid 0', (t) => {
  t.deepEqual(config({ runAsUser: 1000, runAsGroup: 3000 }, undefined, { uid: 5, gid: 6 }).process.user, { uid: 1000, gid: 3000, umask: 0o022 });
  t.deepEqual(config(undefined, { runAsUser: 1000 }, { uid: 5, gid: 6 }).process.user, { uid: 1000, gid: 0, umask: 0o022 });
  t.deepEqual(config({ runAsGroup: 9 }, undefined, { uid: 5, gid: 6 }).process.user, { uid: 5, gid: 9, umask: 0o022 });
  t.deepEqual(config({ runAsUser: 2000 }, { runAsUser: 1000, runAsGroup: 1000, supplementalGroups: [4, 5] }).process.user, { uid: 2000, gid: 1000, umask: 0o022, additionalGids: [4, 5] });
  // kubelet's rule: the fsGroup is every container's extra group too (once).
  t.deepEqual(config(undefined, { supplementalGroups: [4], fsGroup: 2000 }).process.user.additionalGids, [4, 2000]);
  t.deepEqual(config(undefined, { supplementalGroups: [2000], fsGroup: 2000 }).process.user.additionalGids, [2000]);
});

test('capabilities: add on top of runc\'s defaults, drop wins, ALL in drop empties first, names with or without CAP_', (t) => {
  t.deepEqual(config({ capabilities: { add: ['NET_RAW', 'CAP_NET_ADMIN'] } }).process.capabilities.effective, ['CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_AUDIT_WRITE']);
  t.deepEqual(config({ capabilities: { drop: ['KILL'] } }).process.capabilities.bounding, ['CAP_NET_BIND_SERVICE', 'CAP_AUDIT_WRITE']);
  t.deepEqual(config({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }).process.capabilities.permitted, ['CAP_NET_BIND_SERVICE']);
  t.deepEqual(config({ capabilities: { drop: ['ALL'] } }).process.capabilities.effective, []);
  t.deepEqual(capabilitySet({ privileged: false, add: ['CAP_NET_RAW'], drop: ['CAP_NET_RAW'] }), DEFAULT_CAPABILITIES, 'drop wins over add');
  t.is(capabilitySet({ privileged: false, add: ['ALL'], drop: ['CAP_SYS_ADMIN'] }).length, ALL_CAPABILITIES.length - 1);
  t.is(ALL_CAPABILITIES.length, 41, 'CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40)');
});

test('privileged: every capability, no masked or read-only /proc paths, /sys writable, no_new_privs off', (t) => {
  const c = config({ privileged: true, capabilities: { drop: ['ALL'] } });
  t.deepEqual(c.process.capabilities.effective, ALL_CAPABILITIES);
  t.deepEqual(c.linux.maskedPaths, []);
  t.deepEqual(c.linux.readonlyPaths, []);
  t.true(c.mounts.find((m) => m.destination === '/sys')!.options!.includes('rw'));
  t.false(c.process.noNewPrivileges);
});

test('privileged: the node\'s devices are made in the container and the device cgroup allows every device; not otherwise', (t) => {
  const kmsg = { path: '/dev/kmsg', type: 'c' as const, major: 1, minor: 11, fileMode: 0o644, uid: 0, gid: 0 };
  const build = (privileged: boolean) => {
    const m = validateManifest({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged } }] } });
    const s = effectiveSecurity(m.spec.securityContext, m.spec.containers[0]!.securityContext);
    return ociConfig({ ...input, cgroupsPath: 'pod/c', security: s, devices: [kmsg] }) as { linux: { devices?: unknown[]; resources: { devices?: unknown[] } } };
  };
  const priv = build(true);
  t.deepEqual(priv.linux.devices, [kmsg]);
  t.deepEqual(priv.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  const plain = build(false);
  t.is(plain.linux.devices, undefined);
  t.is(plain.linux.resources.devices, undefined, "runc's default device list");
});

test('a device\'s numbers are split from st_rdev as glibc does (large minors too)', (t) => {
  const st = (rdev: number) => ({ rdev, mode: 0o20644, uid: 0, gid: 5, isCharacterDevice: () => true, isBlockDevice: () => false }) as unknown as import('node:fs').Stats;
  t.like(deviceOf('/dev/kmsg', st(0x10b)), { major: 1, minor: 11, type: 'c', fileMode: 0o644, gid: 5 });
  t.like(deviceOf('/dev/x', st(0x300100)), { major: 1, minor: 0x300 }); // minor bits 8-19 sit above the major's 12
  t.like(deviceOf('/dev/nvme', st(259 * 256 + 0x100000 * 2)), { major: 259, minor: 0x200 });
});

test('readOnlyRootFilesystem is root.readonly; allowPrivilegeEscalation: true turns no_new_privs off, false keeps it on', (t) => {
  t.true(config({ readOnlyRootFilesystem: true }).root.readonly);
  t.false(config({ allowPrivilegeEscalation: true }).process.noNewPrivileges);
  t.true(config({ allowPrivilegeEscalation: false }).process.noNewPrivileges);
});

test('bad securityContexts are refused, each naming its field', (t) => {
  const one = (sc: Record<string, unknown>) => invalid({ containers: [{ name: 'c', image: 'busybox', securityContext: sc }] });
  t.throws(one({ capabilities: { add: ['NET_RAW', 'FLY'] } }), { message: /spec\.containers\[0\]\.securityContext\.capabilities\.add\[1\]: "FLY" is not a Linux capability/ });
  t.throws(one({ capabilities: { drop: ['net_raw'] } }), { message: /capabilities\.drop\[0\]: "net_raw" is not a Linux capability: .*upper case/ });
  t.throws(one({ capabilities: { add: ['CAP_ALL'] } }), { message: /"CAP_ALL" is not a Linux capability/ });
  t.throws(one({ runAsUser: -1 }), { message: /securityContext\.runAsUser: / });
  t.throws(one({ privileged: true, allowPrivilegeEscalation: false }), { message: /securityContext\.allowPrivilegeEscalation: cannot be false when privileged is true/ });
  t.throws(one({ capabilities: { add: ['SYS_ADMIN'] }, allowPrivilegeEscalation: false }), { message: /allowPrivilegeEscalation: cannot be false when capabilities\.add has SYS_ADMIN/ });
  t.throws(one({ seLinuxOptions: {} }), { message: /securityContext: "seLinuxOptions" is not supported: minipod keeps runc's default/ });
  t.throws(one({ runAsUsr: 1 }), { message: /securityContext: unknown field "runAsUsr"/ });
  t.throws(invalid({ securityContext: { runAsNonRoot: true, runAsUser: 0 }, containers: [{ name: 'c', image: 'busybox' }] }), { message: /spec\.securityContext\.runAsUser: is 0 \(root\) for container "c", which has runAsNonRoot/ });
  t.throws(invalid({ securityContext: { fsGroupChangePolicy: 'Sometimes' }, containers: [{ name: 'c', image: 'busybox' }] }), { message: /spec\.securityContext\.fsGroupChangePolicy: must be "Always" or "OnRootMismatch"/ });
});

test('a container without an image takes runAsUser, runAsGroup and runAsNonRoot (with a runAsUser); the rest needs an image', (t) => {
  const host = (sc: Record<string, unknown>, pod?: Record<string, unknown>) => invalid({ ...(pod ? { securityContext: pod } : {}), containers: [{ name: 'h', command: ['sleep', '9'], securityContext: sc }] });
  t.notThrows(host({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true }));
  for (const [field, value] of [['readOnlyRootFilesystem', true], ['privileged', false], ['capabilities', { drop: ['ALL'] }], ['allowPrivilegeEscalation', false]] as const) {
    t.throws(host({ [field]: value }), { message: new RegExp(`spec\\.containers\\[0\\]\\.securityContext\\.${field}: needs an image: a container without one is a host process`) }, field);
  }
  t.throws(host({ runAsNonRoot: true }), { message: /securityContext\.runAsNonRoot: needs runAsUser for a container without an image/ });
  t.throws(host({}, { supplementalGroups: [5] }), { message: /spec\.securityContext\.supplementalGroups: needs an image: container "h" has none/ });
  t.throws(host({}, { fsGroup: 5 }), { message: /spec\.securityContext\.fsGroup: needs an image: container "h" has none/ });
});

test('privileged and add ALL give what the daemon holds (its CapBnd), no more', (t) => {
  const held = boundingSet('Name:\tnode\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n')!;
  t.is(held.length, 40);
  t.false(held.includes('CAP_SYS_RESOURCE'), 'bit 24 is not in the mask');
  t.deepEqual(capabilitySet({ privileged: true, add: [], drop: [] }, held), held);
  t.false(capabilitySet({ privileged: false, add: ['ALL'], drop: [] }, held).includes('CAP_SYS_RESOURCE'));
  t.is(boundingSet(undefined), undefined, 'no status (a fake host): every capability');
});
