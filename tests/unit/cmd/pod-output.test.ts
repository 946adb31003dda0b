// The Pod object (-o json|yaml|jsonpath) built from a record, the wide table, -o name, and -o's checks.
import test from 'ava';
import { parse as parseYaml } from 'yaml';
import { MinipodError } from '../../../lib/errors.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { parseOutput, splitOutputFlag } from '../../../cmd/output/format.js';
import { kubernetesPhase, podObject } from '../../../cmd/output/pod-object.js';
import { formatPods } from '../../../cmd/output/pods.js';
import { podRow } from '../../../lib/pod/table.js';
import { validRecord } from '../../helpers/record.js';

/** web: a host-process container `app` and an image container `httpd` whose last run failed. */
function webPod(): PodRecord {
  const r = validRecord('/tmp/state');
  r.manifest.metadata.labels = { app: 'web' };
  r.manifest.spec.containers.push({ name: 'httpd', image: 'httpd', args: [], env: [], ports: [{ containerPort: 80, protocol: 'TCP' }] });
  r.containers[0]!.containerID = 'nsenter://1240';
  r.containers.push({
    ...r.containers[0]!,
    name: 'httpd',
    pid: 1300,
    image: 'httpd',
    imageID: '083a1e168a4a',
    containerID: 'runc://web-httpd',
    runtime: 'runc',
    mntns: 'mnt:[4026532100]',
    pidns: 'pid:[4026532101]',
    restartCount: 1,
    lastState: { exitCode: null, signal: 'SIGKILL', reason: 'Error', startedAt: '2024-01-01T00:00:02.000Z', finishedAt: '2024-01-01T00:00:05.000Z' },
  });
  return r;
}

test('the Pod object has the fields kubectl users look for', (t) => {
  const pod = podObject(webPod(), 'node1');
  t.is(pod.apiVersion, 'v1');
  t.is(pod.kind, 'Pod');
  t.like(pod.metadata, { name: 'web', namespace: 'default', uid: 'V1StGXR8_Z5jdHi6B-myT', creationTimestamp: '2024-01-01T00:00:00.000Z', labels: { app: 'web' } });
  t.like(pod.spec, { nodeName: 'node1', restartPolicy: 'Always' });
  t.like(pod.status, { phase: 'Running', podIP: '10.88.0.2', podIPs: [{ ip: '10.88.0.2' }], hostIP: '10.88.0.1', startTime: '2024-01-01T00:00:00.000Z' });
  const [app, httpd] = pod.status.containerStatuses as Record<string, unknown>[];
  t.deepEqual(app, { name: 'app', state: { running: { startedAt: '2024-01-01T00:00:02.000Z' } }, lastState: {}, ready: true, restartCount: 0, started: true, containerID: 'nsenter://1240' });
  t.like(httpd, { name: 'httpd', image: 'httpd', imageID: 'sha256:083a1e168a4a', containerID: 'runc://web-httpd', restartCount: 1 });
  t.deepEqual(httpd!.lastState, { terminated: { exitCode: 137, signal: 9, reason: 'Error', startedAt: '2024-01-01T00:00:02.000Z', finishedAt: '2024-01-01T00:00:05.000Z', containerID: 'runc://web-httpd' } }, 'SIGKILL is 137, as the CRI reports it');
  t.deepEqual((pod.status.conditions as { type: string; status: string }[]).map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
});

test("minipod's own facts are under status.minipod", (t) => {
  const { minipod } = podObject(webPod(), 'node1').status;
  t.deepEqual(minipod.sandbox, { pausePid: 1234, netns: 'net:[4026532000]', hostVeth: 'mpabcdefghij', attempt: 0, createdAt: '2024-01-01T00:00:01.000Z' });
  t.is(minipod.phase, 'Running');
  t.deepEqual(minipod.containers[1], { name: 'httpd', pid: 1300, runtime: 'runc', netns: 'net:[4026532000]', mntns: 'mnt:[4026532100]', pidns: 'pid:[4026532101]' });
});

test("minipod's phases map onto Kubernetes' five", (t) => {
  const r = webPod();
  for (const [phase, want] of [['Pending', 'Pending'], ['SandboxLost', 'Running'], ['Recreating', 'Running'], ['Terminating', 'Running']] as const) {
    t.is(kubernetesPhase({ ...r, phase }), want, phase);
  }
  t.is(podObject({ ...r, phase: 'Recreating' }, 'n').status.reason, 'Recreating', 'the minipod phase is the reason');
  const ended = (exitCode: number) => r.containers.map((c) => ({ ...c, state: 'Terminated' as const, exitCode, restartAt: null }));
  const never = { ...r, manifest: { ...r.manifest, spec: { ...r.manifest.spec, restartPolicy: 'Never' as const } } };
  t.is(kubernetesPhase({ ...never, containers: ended(0) }), 'Succeeded');
  t.is(kubernetesPhase({ ...never, containers: ended(1) }), 'Failed');
  t.is(kubernetesPhase({ ...r, manifest: { ...r.manifest, spec: { ...r.manifest.spec, restartPolicy: 'Always' } }, containers: ended(1) }), 'Running', 'Always: started again at once, never ended');
  t.is(kubernetesPhase({ ...r, phase: 'Stopped', containers: ended(0) }), 'Succeeded');
  const waiting = r.containers.map((c) => ({ ...c, state: 'Terminated' as const, exitCode: 1, restartAt: '2024-01-01T00:01:00.000Z' }));
  t.is(kubernetesPhase({ ...r, containers: waiting }), 'Running', 'a container that will restart keeps the pod Running');
});

test('-o wide adds the node, the pause pid, its net:[inode] and the host veth', (t) => {
  const now = Date.parse('2024-01-01T00:00:42.000Z');
  t.deepEqual(podRow(webPod(), true, 'node1', now), ['web', '2/2', 'Running', '1', '42s', '10.88.0.2', 'node1', '1234', 'net:[4026532000]', 'mpabcdefghij']);
  t.deepEqual(podRow({ ...webPod(), sandbox: null, phase: 'Stopped' }, true, 'node1', now).slice(-3), ['<none>', '<none>', '<none>']);
});

test('json: one pod is a Pod, several (or `get pods`) a List', async (t) => {
  const one = JSON.parse(await formatPods([webPod()], { kind: 'json' }, true, 'n')) as { kind: string };
  t.is(one.kind, 'Pod');
  const list = JSON.parse(await formatPods([webPod(), { ...webPod(), name: 'db' }], { kind: 'json' }, false, 'n')) as { kind: string; apiVersion: string; items: { metadata: { name: string } }[] };
  t.is(list.kind, 'List');
  t.is(list.apiVersion, 'v1');
  t.deepEqual(list.items.map((i) => i.metadata.name), ['web', 'db']);
});

test('yaml is the same object as json', async (t) => {
  const json = JSON.parse(await formatPods([webPod()], { kind: 'json' }, true, 'n')) as unknown;
  t.deepEqual(parseYaml(await formatPods([webPod()], { kind: 'yaml' }, true, 'n')), json);
});

test('-o name prints pod/NAME, one a line; jsonpath runs on the Pod or the List', async (t) => {
  t.is(await formatPods([webPod(), { ...webPod(), name: 'db' }], { kind: 'name' }), 'pod/web\npod/db\n');
  t.is(await formatPods([webPod()], parseOutput('jsonpath={.status.podIP}'), true, 'n'), '10.88.0.2');
  t.is(await formatPods([webPod()], parseOutput('jsonpath={.items[*].status.minipod.sandbox.pausePid}'), false, 'n'), '1234');
});

test('an unknown -o value or a bad template is refused, naming the flag', (t) => {
  for (const [value, message] of [
    ['xml', /^-o "xml" is not an output format: use wide, json, yaml, name or jsonpath=TEMPLATE/],
    ['jsonpath', /needs a template after "="/],
    ['jsonpath=', /needs a template/],
    ['jsonpath={.status', /^-o jsonpath: "\{" at offset 0 is never closed/],
  ] as const) {
    t.throws(() => parseOutput(value), { instanceOf: MinipodError, message }, value);
  }
  t.deepEqual(parseOutput(undefined), { kind: 'table' });
  t.deepEqual(parseOutput('wide'), { kind: 'wide' });
});

test("kubectl's glued -ojson, -owide, -ojsonpath=… are -o VALUE, but not after --", (t) => {
  t.deepEqual(splitOutputFlag(['get', 'pods', '-owide']), ['get', 'pods', '-o', 'wide']);
  t.deepEqual(splitOutputFlag(['get', 'pods', '--no-headers=true', '--', '--no-headers=false']), ['get', 'pods', '--no-headers', '--', '--no-headers=false'], "kubectl's --no-headers=true");
  t.deepEqual(splitOutputFlag(['ps', '--no-headers=false']), ['ps', '--headers']);
  t.deepEqual(splitOutputFlag(['get', 'pod', 'web', '-ojsonpath={.status.podIP}']), ['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}']);
  t.deepEqual(splitOutputFlag(['get', 'pods', '-o', 'json', '-o=yaml']), ['get', 'pods', '-o', 'json', '-o=yaml']);
  t.deepEqual(splitOutputFlag(['exec', 'web', '--', 'ls', '-ol']), ['exec', 'web', '--', 'ls', '-ol']);
});
