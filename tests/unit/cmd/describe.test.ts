// describe pod: kubectl describe's layout from a record and its events.
import test from 'ava';
import type { PodRecord } from '../../../lib/pod/types.js';
import type { PodEvent } from '../../../lib/supervisor/events.js';
import { describePod, describeTime } from '../../../cmd/output/describe.js';
import { podObject } from '../../../cmd/output/pod-object.js';
import { validRecord } from '../../helpers/record.js';

const now = Date.parse('2024-01-01T00:01:00.000Z');

function pod(): PodRecord {
  const r = validRecord('/tmp/state');
  r.manifest.metadata.labels = { app: 'web', tier: 'front' };
  r.manifest.spec.containers.push({ name: 'httpd', image: 'httpd', args: [], env: [{ name: 'MODE', value: 'demo' }], ports: [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }], resources: { limits: { memory: '64Mi' } } });
  r.containers.push({ ...r.containers[0]!, name: 'httpd', pid: 1300, image: 'httpd', imageID: '083a', containerID: 'runc://web-httpd', runtime: 'runc', mntns: 'mnt:[4026532100]', pidns: 'pid:[4026532101]', argv: ['/bin/httpd', '-f'], restartCount: 1, ready: false, lastState: { exitCode: 1, signal: null, reason: 'Error', startedAt: '2024-01-01T00:00:02.000Z', finishedAt: '2024-01-01T00:00:05.000Z' } });
  return r;
}

const events: PodEvent[] = [
  { time: '2024-01-01T00:00:01.000Z', pod: 'web', podUid: 'V1StGXR8_Z5jdHi6B-myT', type: 'Normal', reason: 'SandboxCreated', message: 'pause 1234 holds net:[4026532000]' },
  { time: '2024-01-01T00:00:05.000Z', pod: 'web', podUid: 'V1StGXR8_Z5jdHi6B-myT', type: 'Warning', reason: 'ContainerDied', message: 'pid 1290 exited with code 1', container: 'httpd' },
  { time: '2024-01-01T00:00:00.000Z', pod: 'web', podUid: 'an-earlier-pod-of-that-name', type: 'Normal', reason: 'Removed', message: 'old' },
];

test('times are RFC 1123 with a numeric zone, as kubectl describe prints them', (t) => {
  t.is(describeTime('2026-11-28T10:20:31.123Z'), 'Sat, 28 Nov 2026 10:20:31 +0000');
  t.is(describeTime(null), '<unknown>');
});

test('the header: Name, Namespace, Node, Start Time, Labels, Status, IP, the spec summary', (t) => {
  const text = describePod(pod(), events, 'node1', now);
  t.true(text.startsWith([
    'Name:                  web',
    'Namespace:             default',
    'Node:                  node1/10.88.0.1',
    'Start Time:            Mon, 01 Jan 2024 00:00:00 +0000',
    'Labels:                app=web',
    '                       tier=front',
    'Annotations:           <none>',
    'Status:                Running',
    'IP:                    10.88.0.2',
    'IPs:',
    '  IP:  10.88.0.2',
    'Restart Policy:        Always',
    'Sandbox Death Policy:  Recreate',
    'Grace Period:          30s',
    '',
  ].join('\n')), text);
});

test('the sandbox: pause pid, network namespace, veth, attempt', (t) => {
  const text = describePod(pod(), events, 'node1', now);
  t.true(text.includes(['Sandbox:', '  Pause PID:  1234', '  Network:    net:[4026532000]', '  Host Veth:  mpabcdefghij (on minipod0)', '  MAC:        0a:58:0a:58:00:02', '  Attempt:    0', '  Created:    Mon, 01 Jan 2024 00:00:01 +0000', 'Containers:'].join('\n')), text);
});

test('each container: image, state, last state, ready, restart count, namespaces, env', (t) => {
  const text = describePod(pod(), events, 'node1', now);
  t.true(text.includes('  app:\n    Image:          <none> (a process on the node, started with nsenter)\n'), text);
  t.true(text.includes([
    '  httpd:',
    '    Container ID:   runc://web-httpd',
    '    Image:          httpd',
    '    Image ID:       sha256:083a',
    '    Port:           80/TCP',
    '    Host Port:      8080/TCP',
    '    Command:',
    '      /bin/httpd',
    '      -f',
    '    State:          Running',
    '      Started:      Mon, 01 Jan 2024 00:00:02 +0000',
    '    Last State:     Terminated',
    '      Reason:       Error',
    '      Exit Code:    1',
    '      Started:      Mon, 01 Jan 2024 00:00:02 +0000',
    '      Finished:     Mon, 01 Jan 2024 00:00:05 +0000',
    '    Ready:          False',
    '    Restart Count:  1',
    '    Limits:',
    '      memory:       64Mi',
    '    PID:            1300',
    '    Runtime:        runc',
    '    Namespaces:     net:[4026532000] mnt:[4026532100] pid:[4026532101]',
    '    Environment:    MODE=demo',
    'Conditions:',
  ].join('\n')), text);
});

test('conditions, then the events of this pod only (not of an earlier one of the same name)', (t) => {
  const text = describePod(pod(), events, 'node1', now);
  t.true(text.includes(['Conditions:', '  Type                       Status', '  PodReadyToStartContainers  True', '  Initialized                True', '  Ready                      False'].join('\n')), text);
  t.true(text.endsWith([
    'Events:',
    '  Type     Reason          Age   From     Message',
    '  ----     ------          ----  ----     -------',
    '  Normal   SandboxCreated  59s   minipod  pause 1234 holds net:[4026532000]',
    '  Warning  ContainerDied   55s   minipod  container httpd: pid 1290 exited with code 1',
    '',
  ].join('\n')), text);
  t.true(describePod(pod(), [], 'node1', now).endsWith('Events:  <none>\n'));
});

test('a stopped pod without a sandbox says so', (t) => {
  const r = { ...pod(), phase: 'Stopped' as const, sandbox: null };
  r.containers = r.containers.map((c) => ({ ...c, state: 'Terminated' as const, reason: 'Completed', exitCode: 0, pid: null, finishedAt: '2024-01-01T00:00:30.000Z' }));
  const text = describePod(r, [], 'node1', now);
  t.true(text.includes('Status:                Succeeded (minipod: Stopped)\n'), text);
  t.true(text.includes('Sandbox:\n  <none>\n'), text);
  t.true(text.includes('    State:          Terminated\n      Reason:       Completed\n      Exit Code:    0\n'), text);
});

test('a container that ended and was not started again: its end is its State, and Last State is <none> (as kubectl), not the same end twice', (t) => {
  const r = pod();
  const end = { exitCode: 3, signal: null, reason: 'Error', startedAt: '2024-01-01T00:00:02.000Z', finishedAt: '2024-01-01T00:00:09.000Z' };
  r.containers[1] = { ...r.containers[1]!, state: 'Terminated', reason: 'Error', exitCode: 3, pid: null, restartCount: 0, startedAt: end.startedAt, finishedAt: end.finishedAt, lastState: end };
  const text = describePod(r, [], 'node1', now);
  t.true(text.includes('      Exit Code:    3\n'), text);
  t.regex(text, /    Last State:     <none>\n    Ready:          False\n    Restart Count:  0\n/);
  t.deepEqual((podObject(r, 'node1') as unknown as { status: { containerStatuses: { lastState: unknown }[] } }).status.containerStatuses[1]!.lastState, {});
});
