// What `kubectl run --dry-run=client -o yaml` and `kubectl get pod -o yaml` write runs as written:
// cluster-only fields are dropped (silently when one node does that anyway, with a warning when they
// ask for more), and values minipod cannot honour are refused once each, saying what to write.
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { parseDocuments } from '../../../lib/manifest/documents.js';
import { validateManifest } from '../../../lib/manifest/parse.js';

// `kubectl run web --image=busybox --dry-run=client -o yaml` (kubectl 1.30), plus what `get -o yaml` adds.
const kubectlRun = `apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels: {run: web}
  name: web
spec:
  containers:
  - image: busybox
    name: web
    resources: {}
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
    imagePullPolicy: IfNotPresent
  dnsPolicy: ClusterFirst
  restartPolicy: Always
  enableServiceLinks: true
  schedulerName: default-scheduler
  serviceAccountName: default
  priority: 0
  preemptionPolicy: PreemptLowerPriority
  tolerations: []
status: {}
`;

test('kubectl run --dry-run -o yaml output is taken as written, without a warning', (t) => {
  const [doc] = parseDocuments(kubectlRun, 'web.yaml');
  t.deepEqual(doc!.warnings, []);
  t.is(doc!.kind, 'Pod');
  const m = doc!.manifest as Record<string, any>;
  t.false('status' in m);
  t.false('creationTimestamp' in m.metadata);
  t.false('dnsPolicy' in m.spec);
  t.false('terminationMessagePath' in m.spec.containers[0]);
});

test('scheduling fields with a value are dropped with a warning that says why', (t) => {
  const text = kubectlRun.replace('tolerations: []', 'tolerations: [{key: gpu, operator: Exists}]\n  nodeSelector: {disk: ssd}\n  serviceAccountName: builder').replace('  serviceAccountName: default\n', '');
  const [doc] = parseDocuments(text, 'web.yaml');
  t.deepEqual(doc!.warnings, [
    'spec.nodeSelector is ignored: a minipod node runs every pod it is given (there is no scheduler)',
    'spec.tolerations is ignored: a minipod node runs every pod it is given (there is no scheduler)',
    'spec.serviceAccountName is ignored: there is no API server, so no service account token is mounted',
  ]);
});

test('a Deployment\'s template is cleaned the same way, its paths named', (t) => {
  const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, creationTimestamp: null}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}, creationTimestamp: null}\n    spec:\n      nodeSelector: {a: b}\n      dnsPolicy: ClusterFirst\n      containers: [{name: app, command: ["sleep", "100"], terminationMessagePolicy: File}]\n`;
  const [doc] = parseDocuments(text, 'd.yaml');
  t.deepEqual(doc!.warnings, ['spec.template.spec.nodeSelector is ignored: a minipod node runs every pod it is given (there is no scheduler)']);
});

test('values minipod cannot honour are refused once each, saying what to use instead; the caller\'s object is untouched', (t) => {
  const value = { metadata: { name: 'web' }, spec: { dnsPolicy: 'None', containers: [{ name: 'sh', image: 'busybox', stdin: true, tty: true }] } };
  const before = structuredClone(value);
  const err = t.throws(() => validateManifest(value), { instanceOf: MinipodError })!;
  t.deepEqual(err.details, [
    'spec.dnsPolicy: "None" is not supported: pods get the node\'s /etc/resolv.conf (ClusterFirst and Default both mean that here)',
    'spec.containers[0].stdin: true is not supported: minipod does not attach to a container\'s stdin: leave it out and use `minipod exec -it POD -- sh`',
    'spec.containers[0].tty: true is not supported: minipod gives a terminal to `exec -t` only: leave it out and use `minipod exec -it POD -- sh`',
  ]);
  t.deepEqual(value, before);
});

test('what `minipod get pod -o yaml` prints applies again as it is, without a warning', async (t) => {
  const { podObject } = await import('../../../cmd/output/pod-object.js');
  const { stringify } = await import('yaml');
  const manifest = validateManifest({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'busybox', ports: [{ containerPort: 80 }] }] } });
  const record = { name: 'web', uid: 'u1', createdAt: '2026-11-28T10:00:00.000Z', phase: 'Running', ip: '10.88.0.2', gateway: '10.88.0.1', containers: [], conditions: [], manifest, sandbox: null } as unknown as Parameters<typeof podObject>[0];
  const [doc] = parseDocuments(stringify(podObject(record, 'vm')), 'web.yaml');
  t.deepEqual(doc!.warnings, []);
  const { samePod } = await import('../../../lib/manifest/normalize.js');
  t.true(samePod(doc!.manifest as typeof manifest, manifest), 'apply would say unchanged');
});
