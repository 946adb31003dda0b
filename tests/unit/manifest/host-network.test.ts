// hostNetwork (pod/host-network.ts): what the manifest accepts, what is refused and why, the pod IP
// it gives, and the OCI config of its image containers (no network, no UTS entry).
import test, { type ExecutionContext } from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { validateManifest } from '../../../lib/manifest/parse.js';
import { isHostNetwork, podIPOf } from '../../../lib/pod/host-network.js';
import { DEFAULT_PIDS_LIMIT } from '../../../lib/cgroup/pod-pids.js';
import { hostNetworkHostsFile, ociConfig } from '../../../lib/runtime/oci-config.js';

const pod = (spec: object, ports: object[] = []): any => ({ metadata: { name: 'hn' }, spec: { hostNetwork: true, containers: [{ name: 'srv', command: ['srv'], ports }], ...spec } });

function issuesOf(t: ExecutionContext, manifest: unknown): string[] {
  const err = t.throws(() => validateManifest(manifest), { instanceOf: MinipodError })!;
  t.is(err.code, 'INVALID_ARGUMENT');
  return err.details as string[];
}

test('hostNetwork: true is accepted, with a hostPort equal to its containerPort or none', (t) => {
  const spec = validateManifest(pod({}, [{ containerPort: 8080, hostPort: 8080 }, { containerPort: 9090 }])).spec;
  t.true(spec.hostNetwork);
  t.false('hostNetwork' in validateManifest({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', command: ['c'] }] } }).spec, 'absent when not given: older records stay as they are');
});

test('with hostNetwork, a hostPort other than its containerPort is refused, as Kubernetes refuses it (no DNAT)', (t) => {
  t.deepEqual(issuesOf(t, pod({}, [{ containerPort: 8080, hostPort: 80 }])), ['spec.containers[0].ports[0].hostPort: 80 must match containerPort 8080 when hostNetwork is true: the process binds the node\'s port itself (no DNAT); set hostPort to 8080 or remove it']);
  t.deepEqual(issuesOf(t, pod({}, [{ containerPort: 8080, hostPort: 8080, hostIP: '192.0.2.10' }])), ['spec.containers[0].ports[0].hostIP: is not used with hostNetwork: the process chooses the node address it binds itself; remove hostIP']);
  t.notThrows(() => validateManifest(pod({ hostNetwork: false }, [{ containerPort: 8080, hostPort: 80 }])), 'without it, a hostPort is DNATed: any port');
});

test('hostIPC and hostPID are refused with why, not as unknown fields', (t) => {
  t.deepEqual(issuesOf(t, pod({ hostIPC: true })), ['spec.hostIPC: is not supported: the pod keeps its own IPC namespace (its pause holds it); remove it (hostNetwork is supported)']);
  t.deepEqual(issuesOf(t, pod({ hostPID: true })), ['spec.hostPID: is not supported: the pod keeps its own PID namespace (or one shared by its containers: shareProcessNamespace); remove it (hostNetwork is supported)']);
  t.notThrows(() => validateManifest(pod({ hostIPC: false, hostPID: false })));
  t.regex(issuesOf(t, pod({ hostNetwork: 'yes' }))[0]!, /^spec\.hostNetwork: /);
});

test('the pod IP of a hostNetwork pod is the node\'s (hostIP), never a leased one', (t) => {
  const manifest = validateManifest(pod({}));
  t.true(isHostNetwork({ manifest }));
  t.is(podIPOf({ manifest, ip: '', hostIP: '192.0.2.10' }), '192.0.2.10');
  t.is(podIPOf({ manifest, ip: '', hostIP: undefined }), '');
  const plain = validateManifest(pod({ hostNetwork: false }));
  t.is(podIPOf({ manifest: plain, ip: '10.88.0.2', hostIP: '192.0.2.10' }), '10.88.0.2');
});

test('an image container of a hostNetwork pod: no network and no UTS entry (the runtime leaves it in the node\'s), IPC the pod\'s', (t) => {
  const input: Parameters<typeof ociConfig>[0] = { sandboxPid: 4242, hostNetwork: true, rootfs: '/b/rootfs', argv: ['/bin/sh'], env: {}, cwd: '/', user: { uid: 0, gid: 0 }, etc: { hosts: '/b/hosts', hostname: '/b/hostname', resolvConf: '/b/resolv.conf' }, cgroupsPath: null, resources: { memoryLimit: null, cpuLimit: null, cpuRequest: null }, pidsLimit: DEFAULT_PIDS_LIMIT };
  const c = ociConfig(input) as { linux: { namespaces: { type: string; path?: string }[] } };
  t.deepEqual(c.linux.namespaces, [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc', path: '/proc/4242/ns/ipc' }]);
  t.is(hostNetworkHostsFile('127.0.0.1\tlocalhost\n'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n');
});
