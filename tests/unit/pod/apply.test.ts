// apply of a Pod, decided before anything is done: create, leave unchanged, or replace; a pod a
// Deployment made, or one being removed, is not replaced behind its owner's back.
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { validateManifest } from '../../../lib/manifest/parse.js';
import { applyPod, planPodApply } from '../../../lib/pod/apply.js';
import type { PodRecord } from '../../../lib/pod/types.js';

const manifest = (cmd = '100', extra: object = {}) => validateManifest({ metadata: { name: 'web', ...extra }, spec: { containers: [{ name: 'app', command: ['sleep', cmd] }] } });
const record = (m = manifest(), deletionTimestamp: string | null = null) => ({ name: 'web', uid: 'u1', manifest: m, deletionTimestamp }) as unknown as PodRecord;

test('new: create; same manifest: unchanged; another spec: replace', (t) => {
  t.is(planPodApply(undefined, manifest()), 'create');
  t.is(planPodApply(record(), manifest()), 'unchanged');
  t.is(planPodApply(record(), manifest('200')), 'replace');
});

test('a changed pod that a Deployment made, or one being removed, is a conflict that says what to do', (t) => {
  const owned = manifest('100', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'front', uid: 'd1', controller: true }] });
  const err = t.throws(() => planPodApply(record(owned), manifest('200')), { instanceOf: MinipodError })!;
  t.is(err.code, 'CONFLICT');
  t.is(err.message, 'pod web is made by deployment/front: change its template and apply the Deployment instead');
  t.is(planPodApply(record(owned), owned), 'unchanged', 'the same manifest is still unchanged');
  t.throws(() => planPodApply(record(manifest(), new Date().toISOString()), manifest('200')), { message: /being removed: apply again once it is gone/ });
});

test('replace removes the old pod before it creates the new one; unchanged does neither', async (t) => {
  const calls: string[] = [];
  let current: PodRecord | undefined = record();
  const ops = {
    find: () => current,
    create: async () => (calls.push('create'), (current = record(manifest('200')))),
    remove: async () => void (calls.push('remove'), (current = undefined)),
    inspect: async () => (calls.push('inspect'), current!),
  };
  t.is((await applyPod(ops, manifest())).result, 'unchanged');
  t.deepEqual(calls, ['inspect']);
  calls.length = 0;
  t.is((await applyPod(ops, manifest('200'))).result, 'configured');
  t.deepEqual(calls, ['remove', 'create']);
});
