// readinessProbe, livenessProbe and startupProbe: what is accepted (with kubelet's defaults), and
// each refusal naming its field, as the API server refuses it.
import test, { type ExecutionContext } from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { describeProbe } from '../../../cmd/output/describe.js';
import { validateManifest } from '../../../lib/manifest/parse.js';

function pod(probes: Record<string, unknown>, extra: Record<string, unknown> = {}): any {
  return { metadata: { name: 'web' }, spec: { containers: [{ name: 'app', command: ['node', 'app.js'], ports: [{ name: 'http', containerPort: 8080 }], ...probes }], ...extra } };
}

function issuesOf(t: ExecutionContext, manifest: unknown): string[] {
  const err = t.throws(() => validateManifest(manifest), { instanceOf: MinipodError })!;
  t.is(err.code, 'INVALID_ARGUMENT');
  return err.details;
}

test('each handler is accepted with the timing defaults filled in', (t) => {
  const m = validateManifest(pod({ readinessProbe: { httpGet: { port: 'http' } }, livenessProbe: { exec: { command: ['true'] }, periodSeconds: 1 }, startupProbe: { tcpSocket: { port: 8080 }, failureThreshold: 30 } }));
  const c = m.spec.containers[0]!;
  t.deepEqual(c.readinessProbe, { httpGet: { path: '/', port: 'http', scheme: 'HTTP', httpHeaders: [] }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  t.like(c.livenessProbe, { exec: { command: ['true'] }, periodSeconds: 1 });
  t.like(c.startupProbe, { tcpSocket: { port: 8080 }, failureThreshold: 30 });
});

test('a manifest without probes is parsed as before (nothing added)', (t) => {
  const c = validateManifest(pod({})).spec.containers[0]!;
  t.false('readinessProbe' in c || 'livenessProbe' in c || 'startupProbe' in c);
});

test('no handler, or two, is refused naming the probe', (t) => {
  t.deepEqual(issuesOf(t, pod({ livenessProbe: { periodSeconds: 5 } })), ['spec.containers[0].livenessProbe: needs one handler: exec, httpGet or tcpSocket']);
  t.deepEqual(issuesOf(t, pod({ readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 1 } } })), ['spec.containers[0].readinessProbe: has exec and tcpSocket: give exactly one handler']);
});

test('grpc is refused with what to use instead', (t) => {
  const [issue] = issuesOf(t, pod({ livenessProbe: { grpc: { port: 9000 } } }));
  t.regex(issue!, /^spec\.containers\[0\]\.livenessProbe\.grpc: is not supported by minipod: use exec .* or tcpSocket/);
});

test('successThreshold must be 1 for liveness and startup probes, not for readiness', (t) => {
  t.deepEqual(issuesOf(t, pod({ livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } })), ['spec.containers[0].livenessProbe.successThreshold: must be 1 for a liveness probe (as the API server requires)']);
  t.deepEqual(issuesOf(t, pod({ startupProbe: { exec: { command: ['true'] }, successThreshold: 3 } })), ['spec.containers[0].startupProbe.successThreshold: must be 1 for a startup probe (as the API server requires)']);
  t.is(validateManifest(pod({ readinessProbe: { exec: { command: ['true'] }, successThreshold: 2 } })).spec.containers[0]!.readinessProbe!.successThreshold, 2);
});

test('timing fields below their minimum are refused naming the field', (t) => {
  const issues = issuesOf(t, pod({ readinessProbe: { exec: { command: ['true'] }, periodSeconds: 0, timeoutSeconds: 0, initialDelaySeconds: -1 } }));
  t.true(issues.some((i) => i.startsWith('spec.containers[0].readinessProbe.periodSeconds:')), issues.join('\n'));
  t.true(issues.some((i) => i.startsWith('spec.containers[0].readinessProbe.timeoutSeconds:')));
  t.true(issues.some((i) => i.startsWith('spec.containers[0].readinessProbe.initialDelaySeconds:')));
});

test('a named port the container does not declare is refused, listing its named ports', (t) => {
  t.deepEqual(issuesOf(t, pod({ readinessProbe: { httpGet: { port: 'web' } } })), ['spec.containers[0].readinessProbe.httpGet.port: "web" is not the name of one of this container\'s ports (named: http): give a number, or name the port in ports[].name']);
  const [bad] = issuesOf(t, pod({ livenessProbe: { tcpSocket: { port: 70000 } } }));
  t.regex(bad!, /^spec\.containers\[0\]\.livenessProbe\.tcpSocket\.port: must be a port number \(1-65535\) or the name/);
});

test('a readiness probe takes no terminationGracePeriodSeconds; a liveness probe does', (t) => {
  t.deepEqual(issuesOf(t, pod({ readinessProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 5 } })), ['spec.containers[0].readinessProbe.terminationGracePeriodSeconds: is not allowed on a readiness probe (it never kills the container): remove it']);
  t.is(validateManifest(pod({ livenessProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 5 } })).spec.containers[0]!.livenessProbe!.terminationGracePeriodSeconds, 5);
});

test('probes on an init container are refused, as Kubernetes refuses them', (t) => {
  const m = pod({}, { initContainers: [{ name: 'setup', command: ['true'], readinessProbe: { exec: { command: ['true'] } } }] });
  const [issue] = issuesOf(t, m);
  t.regex(issue!, /^spec\.initContainers\[0\]\.readinessProbe: is not allowed on an init container/);
});

test('describe shows a probe in kubectl\'s one line', (t) => {
  const c = validateManifest(pod({ livenessProbe: { httpGet: { path: '/healthz', port: 8080 } }, readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 } })).spec.containers[0]!;
  t.is(describeProbe(c.livenessProbe!), 'http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3');
  t.is(describeProbe(c.readinessProbe!), 'exec [cat /tmp/ready] delay=0s timeout=1s period=1s #success=1 #failure=3');
});
