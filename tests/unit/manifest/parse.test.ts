// Manifest parsing: defaults are filled in, and every error names its field by path.
import { readFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { validateManifest } from '../../../lib/manifest/parse.js';
import { parseManifest } from '../../../lib/manifest/text.js';

// Compiled to dist/tests/unit/manifest/, so the repository root is four levels up.
const example = (name: string) => readFileSync(new URL(`../../../../examples/${name}`, import.meta.url), 'utf8');

/** The smallest valid manifest, as a fresh object each call so tests can mutate it. */
function minimal(): any {
  return { metadata: { name: 'web' }, spec: { containers: [{ name: 'httpd', command: ['node', 'httpd.js'] }] } };
}

/** Asserts fn throws INVALID_ARGUMENT and returns the error. */
function rejects(t: ExecutionContext, fn: () => unknown): MinipodError {
  const err = t.throws(fn, { instanceOf: MinipodError })!;
  t.is(err.code, 'INVALID_ARGUMENT');
  return err;
}

/** The issue list of an invalid manifest object. */
function issuesOf(t: ExecutionContext, manifest: unknown): string[] {
  return rejects(t, () => validateManifest(manifest)).details;
}

const DNS_MESSAGE = 'must be a DNS-1123 label: lowercase letters, digits and "-", at most 63, starting and ending alphanumeric';

/** The seed's pod spec with these two containers, every default filled in. */
const seedPod = (name: string, httpd: object, bootcamp: object) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    restartPolicy: 'Always',
    sandboxDeathPolicy: 'Recreate',
    terminationGracePeriodSeconds: 5,
    shareProcessNamespace: false,
    containers: [
      { name: 'httpd', ...httpd, args: [], env: [], ports: [{ containerPort: 80, protocol: 'TCP' }] },
      { name: 'bootcamp', ...bootcamp, args: [], env: [], ports: [{ containerPort: 8080, protocol: 'TCP' }] },
    ],
  },
});

test('the seed pod parses with every default filled in: two image containers, no command (the images\' own)', (t) => {
  t.deepEqual(parseManifest(example('seed-pod.yaml'), 'examples/seed-pod.yaml'), seedPod('web', { image: 'httpd' }, { image: 'bootcamp:v1' }));
});

test('the host example runs the same two apps from the node\'s filesystem (no image)', (t) => {
  t.deepEqual(parseManifest(example('host-pod.yaml'), 'examples/host-pod.yaml'), seedPod('web-host', { command: ['node', 'httpd.js'] }, { command: ['node', 'bootcamp.js'] }));
});

test('restartPolicy, sandboxDeathPolicy and the grace period default to Always, Recreate and 30s', (t) => {
  const { spec } = validateManifest(minimal());
  t.is(spec.restartPolicy, 'Always');
  t.is(spec.sandboxDeathPolicy, 'Recreate');
  t.is(spec.terminationGracePeriodSeconds, 30);
});

test('env values default to the empty string', (t) => {
  const m = minimal();
  m.spec.containers[0].env = [{ name: 'DEBUG' }];
  t.deepEqual(validateManifest(m).spec.containers[0]!.env, [{ name: 'DEBUG', value: '' }]);
});

test('JSON input is accepted', (t) => {
  const parsed = parseManifest(JSON.stringify(minimal()), 'pod.json');
  t.is(parsed.metadata.name, 'web');
  t.deepEqual(parsed.spec.containers[0]!.command, ['node', 'httpd.js']);
});

test('a duplicate container name names the second one', (t) => {
  const m = minimal();
  m.spec.containers.push({ name: 'httpd', command: ['node', 'other.js'] });
  t.deepEqual(issuesOf(t, m), ['spec.containers[1].name: duplicate "httpd"']);
});

test('a missing metadata.name is required', (t) => {
  const m = minimal();
  delete m.metadata.name;
  t.deepEqual(issuesOf(t, m), ['metadata.name: is required']);
});

test('a missing spec is required', (t) => {
  const m = minimal();
  delete m.spec;
  t.deepEqual(issuesOf(t, m), ['spec: is required']);
});

for (const [why, name] of [
  ['uppercase', 'Web'],
  ['64 characters', 'a'.repeat(64)],
  ['a leading dash', '-web'],
  ['a trailing dash', 'web-'],
  ['a path', '../x'],
  ['empty', ''],
]) {
  test(`a pod name that is ${why} is not a DNS-1123 label`, (t) => {
    const m = minimal();
    m.metadata.name = name;
    t.deepEqual(issuesOf(t, m), [`metadata.name: ${DNS_MESSAGE}`]);
  });
}

test('a 63-character pod name is accepted', (t) => {
  const m = minimal();
  m.metadata.name = 'a'.repeat(63);
  t.is(validateManifest(m).metadata.name, 'a'.repeat(63));
});

test('a container name must be a DNS-1123 label too', (t) => {
  const m = minimal();
  m.spec.containers[0].name = 'Httpd';
  t.deepEqual(issuesOf(t, m), [`spec.containers[0].name: ${DNS_MESSAGE}`]);
});

test('an unknown container field is named at its container', (t) => {
  const m = minimal();
  m.spec.containers[0].imagee = 'busybox'; // a typo: Kubernetes fields minipod lacks say why (below)
  t.deepEqual(issuesOf(t, m), ['spec.containers[0]: unknown field "imagee"']);
});

test('several unknown fields are listed together', (t) => {
  const m = minimal();
  Object.assign(m.spec.containers[0], { imagee: 'x', comand: [] });
  t.deepEqual(issuesOf(t, m), ['spec.containers[0]: unknown fields "imagee", "comand"']);
});

test('a Kubernetes field minipod lacks says why and what to write instead; a typo beside it is still unknown', (t) => {
  const m = minimal();
  Object.assign(m.spec.containers[0], { envFrom: [], lifecycle: {}, imagee: 'x' });
  t.deepEqual(issuesOf(t, m), ['spec.containers[0]: "envFrom" is not supported: minipod has no ConfigMaps or Secrets: write each variable in env (value, or valueFrom.fieldRef); "lifecycle" is not supported: postStart and preStop hooks are not run: do the work in the command, or on SIGTERM (the grace period applies); unknown field "imagee"']);
  const p = minimal();
  p.spec.hostAliases = [];
  t.regex(issuesOf(t, p)[0]!, /^spec: "hostAliases" is not supported: /);
});

test('an unknown top-level field has no path prefix', (t) => {
  const m = minimal();
  m.extra = {}; // status is dropped as the API server drops it (cluster-fields.ts)
  t.deepEqual(issuesOf(t, m), ['unknown field "extra"']);
});

test('a command given as a string is rejected at its path', (t) => {
  const m = minimal();
  m.spec.containers[0].command = 'node httpd.js';
  t.deepEqual(issuesOf(t, m), ['spec.containers[0].command: must be a list such as ["node", "app.js"], not a single (shell) string']);
});

test('an empty command array asks for the program', (t) => {
  const m = minimal();
  m.spec.containers[0].command = [];
  t.deepEqual(issuesOf(t, m), ['spec.containers[0].command: is required: the program and its arguments, as an array']);
});

test('an empty containers list needs at least one container', (t) => {
  const m = minimal();
  m.spec.containers = [];
  t.deepEqual(issuesOf(t, m), ['spec.containers: needs at least one container']);
});

test('a containerPort declared by two containers is rejected at the second', (t) => {
  const m = minimal();
  m.spec.containers[0].ports = [{ containerPort: 80 }];
  m.spec.containers.push({ name: 'sidecar', command: ['node', 'sidecar.js'], ports: [{ containerPort: 80 }] });
  t.deepEqual(issuesOf(t, m), [
    'spec.containers[1].ports[0].containerPort: TCP/80 is already declared by container "httpd" (apps share one network namespace)',
  ]);
});

test('the same port number over TCP and UDP does not clash', (t) => {
  const m = minimal();
  m.spec.containers[0].ports = [{ containerPort: 53 }];
  m.spec.containers.push({ name: 'dns', command: ['dnsd'], ports: [{ containerPort: 53, protocol: 'UDP' }] });
  t.is(validateManifest(m).spec.containers.length, 2);
});

test('independent issues are all reported, and joined in the message', (t) => {
  const m = minimal();
  delete m.metadata.name;
  m.spec.restartPolicy = 'Sometimes';
  const err = rejects(t, () => validateManifest(m));
  t.is(err.details.length, 2);
  t.true(err.details.includes('metadata.name: is required'));
  t.true(err.details.some((d) => d.startsWith('spec.restartPolicy: ')));
  t.is(err.message, `invalid pod manifest: ${err.details.join('; ')}`);
});

test('invalid YAML names the source and says it is not YAML or JSON', (t) => {
  const err = rejects(t, () => parseManifest('metadata: {name: web\nspec: [', 'pod.yaml'));
  t.true(err.message.startsWith('pod.yaml: not valid YAML or JSON: '), err.message);
  t.false(err.message.includes('\n'));
});

test('the source defaults to "manifest"', (t) => {
  const err = rejects(t, () => parseManifest('a: ['));
  t.true(err.message.startsWith('manifest: not valid YAML or JSON: '), err.message);
});

test('duplicate YAML keys are rejected', (t) => {
  const text = 'metadata:\n  name: web\nmetadata:\n  name: other\nspec:\n  containers: [{name: a, command: [x]}]\n';
  const err = rejects(t, () => parseManifest(text, 'pod.yaml'));
  t.is(err.message, 'pod.yaml: not valid YAML or JSON: Map keys must be unique');
});

for (const [what, text] of [
  ['a scalar', 'hello'],
  ['a list', '- a\n- b\n'],
  ['an empty document', ''],
]) {
  test(`${what} instead of an object asks for a Pod object`, (t) => {
    const err = rejects(t, () => parseManifest(text, 'pod.yaml'));
    t.is(err.message, 'pod.yaml: expected a Pod or Deployment object (apiVersion, kind, metadata, spec)');
  });
}

test('a NUL in an env value is named at its field', (t) => {
  const m = minimal();
  m.spec.containers[0].env = [{ name: 'A', value: 'ok' }, { name: 'B', value: 'x\0y' }];
  t.deepEqual(issuesOf(t, m), ['spec.containers[0].env[1].value: must not contain NUL (the kernel ends a string at the first NUL)']);
});

test('an argument longer than MAX_ARG_STRLEN is named; one byte less is accepted', (t) => {
  const m = minimal();
  m.spec.containers[0].args = ['a', 'b', 'x'.repeat(131072)];
  t.deepEqual(issuesOf(t, m), ['spec.containers[0].args[2]: is 131072 bytes: the kernel takes at most 131071 per argument (MAX_ARG_STRLEN)']);
  m.spec.containers[0].args[2] = 'x'.repeat(131071);
  t.is(validateManifest(m).spec.containers[0]!.args[2]!.length, 131071);
});

test('the argument limit counts bytes, not characters', (t) => {
  const m = minimal();
  m.spec.containers[0].command = ['node', 'é'.repeat(65536)]; // 131072 bytes in UTF-8
  t.deepEqual(issuesOf(t, m), ['spec.containers[0].command[1]: is 131072 bytes: the kernel takes at most 131071 per argument (MAX_ARG_STRLEN)']);
});

test('an env entry whose NAME=value passes MAX_ARG_STRLEN is named at its value', (t) => {
  const m = minimal();
  m.spec.containers[0].env = [{ name: 'BIG', value: 'x'.repeat(131068) }];
  t.deepEqual(issuesOf(t, m), ['spec.containers[0].env[0].value: makes NAME=value 131072 bytes: the kernel takes at most 131071 per environment string (MAX_ARG_STRLEN)']);
});

test('runtimeClassName picks runc or crun for the pod\'s image containers; anything else is refused naming the field and the values', (t) => {
  const m = minimal();
  m.spec.runtimeClassName = 'crun';
  t.is(validateManifest(m).spec.runtimeClassName, 'crun');
  t.is(validateManifest(minimal()).spec.runtimeClassName, undefined, 'unset: the daemon\'s --oci-runtime');
  for (const bad of ['kata', '', 7]) {
    m.spec.runtimeClassName = bad;
    t.deepEqual(issuesOf(t, m), ['spec.runtimeClassName: must be runc or crun (the OCI runtime of the pod\'s image containers; leave it out for the daemon\'s --oci-runtime)']);
  }
});
