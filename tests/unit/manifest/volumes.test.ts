// volumes and volumeMounts: what is accepted (with its defaults), and each refusal naming its field.
import test, { type ExecutionContext } from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { validateManifest } from '../../../lib/manifest/parse.js';

function pod(volumes: unknown[], mounts: unknown[], extra: Record<string, unknown> = { image: 'busybox' }): any {
  return { metadata: { name: 'web' }, spec: { volumes, containers: [{ name: 'app', ...extra, volumeMounts: mounts }] } };
}

function issuesOf(t: ExecutionContext, manifest: unknown): string[] {
  const err = t.throws(() => validateManifest(manifest), { instanceOf: MinipodError })!;
  t.is(err.code, 'INVALID_ARGUMENT');
  return err.details;
}

test('emptyDir, a Memory emptyDir and a hostPath are accepted, with their defaults filled in', (t) => {
  const m = validateManifest(pod([{ name: 'a', emptyDir: {} }, { name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }, { name: 'h', hostPath: { path: '/srv' } }], [{ name: 'a', mountPath: '/a' }, { name: 'h', mountPath: '/h', readOnly: true, subPath: 'x/y' }]));
  t.deepEqual(m.spec.volumes, [{ name: 'a', emptyDir: { medium: '' } }, { name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }, { name: 'h', hostPath: { path: '/srv', type: '' } }]);
  t.deepEqual(m.spec.containers[0]!.volumeMounts, [{ name: 'a', mountPath: '/a', readOnly: false }, { name: 'h', mountPath: '/h', readOnly: true, subPath: 'x/y' }]);
});

test('a manifest without volumes is parsed as before (no empty lists added)', (t) => {
  const m = validateManifest({ metadata: { name: 'web' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } });
  t.false('volumes' in m.spec);
  t.false('volumeMounts' in m.spec.containers[0]!);
});

test('a mount naming an unknown volume names the mount and the volumes there are', (t) => {
  t.deepEqual(issuesOf(t, pod([{ name: 'data', emptyDir: {} }], [{ name: 'dat', mountPath: '/d' }])), ['spec.containers[0].volumeMounts[0].name: no volume "dat" in spec.volumes (there are: data)']);
});

test('two volumes of one name: the second is named', (t) => {
  t.deepEqual(issuesOf(t, pod([{ name: 'data', emptyDir: {} }, { name: 'data', hostPath: { path: '/srv' } }], [])), ['spec.volumes[1].name: duplicate "data"']);
});

test('a relative mountPath, a subPath with ".." or absolute, and one mountPath twice are refused at their fields', (t) => {
  const v = [{ name: 'd', emptyDir: {} }];
  t.deepEqual(issuesOf(t, pod(v, [{ name: 'd', mountPath: 'data' }])), ['spec.containers[0].volumeMounts[0].mountPath: must be an absolute path such as "/data" (where the volume appears in the container)']);
  t.deepEqual(issuesOf(t, pod(v, [{ name: 'd', mountPath: '/d', subPath: 'a/../../etc' }])), ['spec.containers[0].volumeMounts[0].subPath: must not contain "..": it names a path inside the volume']);
  t.deepEqual(issuesOf(t, pod(v, [{ name: 'd', mountPath: '/d', subPath: '/etc' }])), ['spec.containers[0].volumeMounts[0].subPath: must be a relative path inside the volume, such as "html"']);
  t.deepEqual(issuesOf(t, pod(v, [{ name: 'd', mountPath: '/d' }, { name: 'd', mountPath: '/d/' }])), ['spec.containers[0].volumeMounts[1].mountPath: "/d/" is already a mount path of container "app"']);
});

test('a volume needs exactly one source; unknown kinds and types are refused with what is supported', (t) => {
  t.deepEqual(issuesOf(t, pod([{ name: 'd' }], [])), ['spec.volumes[0].name: volume "d" needs exactly one source, emptyDir or hostPath (has none; other kinds (configMap, secret, persistentVolumeClaim) are not supported)']);
  t.deepEqual(issuesOf(t, pod([{ name: 'd', emptyDir: {}, hostPath: { path: '/x' } }], [])), ['spec.volumes[0].name: volume "d" needs exactly one source, emptyDir or hostPath (has emptyDir and hostPath)']);
  t.regex(issuesOf(t, pod([{ name: 'd', hostPath: { path: '/x', type: 'Dir' } }], []))[0]!, /^spec\.volumes\[0\]\.hostPath\.type: must be one of "", "DirectoryOrCreate", "Directory"/);
  t.regex(issuesOf(t, pod([{ name: 'd', hostPath: { path: 'x' } }], []))[0]!, /^spec\.volumes\[0\]\.hostPath\.path: must be an absolute path/);
  t.regex(issuesOf(t, pod([{ name: 'd', emptyDir: { medium: 'Disk' } }], []))[0]!, /^spec\.volumes\[0\]\.emptyDir\.medium: must be "" \(a directory on the node\) or "Memory"/);
  t.regex(issuesOf(t, pod([{ name: 'd', emptyDir: { medium: 'Memory', sizeLimit: 'lots' } }], []))[0]!, /^spec\.volumes\[0\]\.emptyDir\.sizeLimit: "lots" is not a size/);
  t.regex(issuesOf(t, pod([{ name: 'd', configMap: { name: 'x' } }], []))[0]!, /configMap/);
});

test('volumeMounts on a container without an image are refused: it runs on the node\'s own filesystem', (t) => {
  t.deepEqual(issuesOf(t, pod([{ name: 'd', emptyDir: {} }], [{ name: 'd', mountPath: '/d' }], { command: ['sleep', '1'] })), ['spec.containers[0].volumeMounts[0]: needs an image: a container without one runs on the node\'s own filesystem, where nothing is mounted for it (give the container an image, or use the node path directly)']);
});
