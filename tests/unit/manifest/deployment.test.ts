// The Deployment manifest: the seed's examples/deployment.yaml parses verbatim; label values
// follow Kubernetes' rules; what minipod does not do is refused saying what to write instead.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { validateAny, validateManifest } from '../../../lib/manifest/parse.js';
import { parseAny } from '../../../lib/manifest/text.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const base = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web_server' } },
    template: { metadata: { labels: { app: 'web_server' } }, spec: { containers: [{ name: 'httpd', image: 'httpd' }] } },
  } as Record<string, any>,
});

const refused = (value: unknown, message: RegExp) => (t: import('ava').ExecutionContext) => {
  const err = t.throws(() => validateAny(value), { instanceOf: MinipodError });
  t.is(err?.code, 'INVALID_ARGUMENT');
  t.regex(err?.message ?? '', message);
};

test('examples/deployment.yaml, as the seed blog has it, is a Deployment of two image containers', async (t) => {
  const file = path.join(ROOT, 'examples/deployment.yaml');
  const parsed = parseAny(await readFile(file, 'utf8'), file);
  if (parsed.kind !== 'Deployment') return t.fail('not a Deployment');
  t.is(parsed.manifest.spec.replicas, 2);
  t.deepEqual(parsed.manifest.spec.template.metadata.labels, { app: 'web_server' });
  t.deepEqual(parsed.manifest.spec.template.spec.containers.map((c) => c.image), ['httpd', 'bootcamp:v1']);
});

test('a manifest without kind, or kind Pod, is a Pod; another kind is refused naming what minipod takes', (t) => {
  t.is(validateAny({ metadata: { name: 'a' }, spec: { containers: [{ name: 'c', command: ['x'] }] } }).kind, 'Pod');
  refused({ kind: 'Service' }, /^kind: Service is not supported by minipod: pods are reached by their IP or a hostPort .*; remove this document$/)(t);
  refused({ kind: 'Gadget' }, /^kind: Gadget is not supported: minipod takes a Pod \(v1\) or a Deployment \(apps\/v1\)$/)(t);
});

test('label values: web_server is one; a pod label value with a space or 64 characters is not', (t) => {
  const pod = (labels: Record<string, string>) => ({ metadata: { name: 'a', labels }, spec: { containers: [{ name: 'c', command: ['x'] }] } });
  t.deepEqual(validateManifest(pod({ app: 'web_server', tier: '', 'example.com/v': 'a.b-c' })).metadata.labels, { app: 'web_server', tier: '', 'example.com/v': 'a.b-c' });
  t.throws(() => validateManifest(pod({ app: 'web server' })), { message: /metadata\.labels\.app: must be a label value/ });
  t.throws(() => validateManifest(pod({ app: 'a'.repeat(64) })), { message: /metadata\.labels\.app: must be a label value/ });
  t.throws(() => validateManifest(pod({ '-bad': 'x' })), { message: /metadata\.labels\.-bad: is not a label key/ });
});

test('the template labels must match the selector', refused({ ...base(), spec: { ...base().spec, selector: { matchLabels: { app: 'other' } } } }, /spec\.template\.metadata\.labels: must match spec\.selector\.matchLabels \(app: other\)/));

test('a name too long for NAME-<hash>-<suffix> is refused', refused({ ...base(), metadata: { name: 'w'.repeat(47) } }, /metadata\.name: is at most 46 characters/));

test('strategy RollingUpdate is refused: minipod recreates', refused({ ...base(), spec: { ...base().spec, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }, /spec\.strategy\.type: minipod replaces pods by Recreate only/));

test('strategy Recreate is taken', (t) => {
  const m = validateAny({ ...base(), spec: { ...base().spec, strategy: { type: 'Recreate' } } });
  t.is(m.kind, 'Deployment');
});

test('unsupported Deployment fields say what to use instead', (t) => {
  refused({ ...base(), spec: { ...base().spec, paused: true } }, /spec\.paused: not supported: .*minipod scale deployment\/NAME --replicas=0/)(t);
  refused({ ...base(), spec: { ...base().spec, minReadySeconds: 5 } }, /spec\.minReadySeconds: not supported/)(t);
  refused({ ...base(), spec: { ...base().spec, selector: { matchLabels: { app: 'web_server' }, matchExpressions: [] } } }, /spec\.selector\.matchExpressions: not supported: write the labels as selector\.matchLabels/)(t);
  refused({ ...base(), spec: { ...base().spec, template: { ...base().spec.template, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'httpd' }] } } } }, /restartPolicy: must be Always in a Deployment/)(t);
  refused({ ...base(), apiVersion: 'extensions/v1beta1' }, /apiVersion: must be "apps\/v1"/)(t);
});
