// Environment variables (manifest/env.ts): a value or the pod's own fields (the downward API's
// fieldRef), `$(NAME)` expanded against the variables before it, and every unsupported source
// refused with a message saying what to write instead.
import test, { type ExecutionContext } from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { containerEnv, expandArgv } from '../../../lib/manifest/command.js';
import { expand, ownEnv, type PodFields } from '../../../lib/manifest/env.js';
import { validateManifest } from '../../../lib/manifest/parse.js';

const pod: PodFields = { name: 'web', namespace: 'default', uid: 'u-1', podIP: '10.88.0.7', nodeName: 'node-2', labels: { app: 'web_server' } };
const manifest = (env: unknown[], args: string[] = []) => ({ metadata: { name: 'web' }, spec: { containers: [{ name: 'c', command: ['sh'], args, env }] } });
const issues = (t: ExecutionContext, env: unknown[]) => (t.throws(() => validateManifest(manifest(env)), { instanceOf: MinipodError }) as MinipodError).details;
const field = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });

test('fieldRef gives the pod\'s name, namespace, uid, IP, node and a label', (t) => {
  const m = validateManifest(manifest([
    { name: 'POD_NAME', ...field('metadata.name') }, { name: 'NS', ...field('metadata.namespace') }, { name: 'UID', ...field('metadata.uid') },
    { name: 'IP', ...field('status.podIP') }, { name: 'IPS', ...field('status.podIPs') }, { name: 'NODE', ...field('spec.nodeName') },
    { name: 'APP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['app']" } } }, { name: 'NONE', ...field("metadata.labels['tier']") },
  ]));
  t.deepEqual(ownEnv(m.spec.containers[0]!.env, pod), { POD_NAME: 'web', NS: 'default', UID: 'u-1', IP: '10.88.0.7', IPS: '10.88.0.7', NODE: 'node-2', APP: 'web_server', NONE: '' });
});

test('$(NAME) is a variable defined before it; $$ a literal $; an unknown or later name stays as written', (t) => {
  const m = validateManifest(manifest([{ name: 'IP', ...field('status.podIP') }, { name: 'URL', value: 'http://$(IP):8080/$(LATER)$$(IP)' }, { name: 'LATER', value: 'x' }], ['--bind=$(IP)', '$(URL)', '$$(IP)', '$(PATH)']));
  const c = m.spec.containers[0]!;
  t.is(ownEnv(c.env, pod).URL, 'http://10.88.0.7:8080/$(LATER)$(IP)');
  t.deepEqual(expandArgv(['/bin/sh', ...c.args], c, pod), ['/bin/sh', '--bind=10.88.0.7', 'http://10.88.0.7:8080/$(LATER)$(IP)', '$(IP)', '$(PATH)'], 'the image\'s PATH is not the container\'s own: kept');
  t.is(expand('$(A', { A: '1' }), '$(A', 'an unclosed reference stays');
});

test('the container\'s variables win over the image\'s and HOSTNAME; a variable without a value is the empty string', (t) => {
  const m = validateManifest(manifest([{ name: 'HOSTNAME', value: 'mine' }, { name: 'EMPTY' }]));
  t.deepEqual(containerEnv(m.spec.containers[0]!, 'web', { Env: ['PATH=/img/bin', 'LANG=C'] }, pod), { PATH: '/img/bin', LANG: 'C', HOSTNAME: 'mine', EMPTY: '' });
});

test('what minipod cannot give is refused, saying what to write instead', (t) => {
  t.regex(issues(t, [{ name: 'A', ...field('status.hostIP') }]).join('\n'), /fieldPath: "status\.hostIP" is not a field minipod can give: use one of metadata\.name, metadata\.namespace, metadata\.uid, spec\.nodeName, status\.podIP, status\.podIPs or metadata\.labels\['KEY'\]/);
  t.regex(issues(t, [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'x', key: 'y' } } }]).join('\n'), /valueFrom\.configMapKeyRef: is not supported: minipod has no ConfigMaps or Secrets: give the value inline with `value`/);
  t.regex(issues(t, [{ name: 'A', valueFrom: { secretKeyRef: { name: 'x', key: 'y' } } }]).join('\n'), /valueFrom\.secretKeyRef: is not supported: minipod has no ConfigMaps or Secrets/);
  t.regex(issues(t, [{ name: 'A', value: 'v', ...field('metadata.name') }]).join('\n'), /valueFrom: may not be given with a value: give one or the other/);
  t.regex(issues(t, [{ name: 'A', valueFrom: {} }]).join('\n'), /valueFrom: needs a fieldRef, such as \{fieldRef: \{fieldPath: status\.podIP\}\}/);
  t.regex(issues(t, [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name', extra: 1 } } }]).join('\n'), /extra/);
});
