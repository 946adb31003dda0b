// The controller against a fake pod manager (no root): it keeps replicas pods, replaces one
// removed or stopped by hand, scales, recreates on a new template, survives a restart without
// making a pod twice, and removes a Deployment with its pods.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { DeploymentController } from '../../../lib/deploy/controller.js';
import { DeploymentStore } from '../../../lib/deploy/store.js';
import { MinipodError } from '../../../lib/errors.js';
import type { PodManifest } from '../../../lib/manifest/pod-spec.js';
import type { PodManager } from '../../../lib/pod/manager.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { EventLog } from '../../../lib/supervisor/events.js';
import { validateDeployment } from '../../../lib/manifest/parse.js';
import { webDeployment } from '../../helpers/deployment.js';
import { tempDir } from '../../helpers/temp.js';
import { waitUntil } from '../../../lib/util/wait.js';

const manifest = (replicas = 2, image = 'httpd') => webDeployment(replicas, 'web_server', { containers: [{ name: 'httpd', image, ports: [{ containerPort: 80 }] }] });

/** The pod manager as the controller sees it: create, remove, list. */
class FakePods {
  pods = new Map<string, PodRecord>();
  created: string[] = [];
  async create(m: PodManifest): Promise<PodRecord> {
    const r = { name: m.metadata.name, namespace: m.metadata.namespace, uid: m.metadata.name, phase: 'Running', createdAt: new Date().toISOString(), manifest: m, containers: [{ name: 'httpd', ready: true }] } as unknown as PodRecord;
    this.pods.set(r.name, r);
    this.created.push(r.name);
    return r;
  }
  async remove(name: string): Promise<void> {
    if (!this.pods.delete(name)) throw new MinipodError('NOT_FOUND', `pod ${name} not found`);
  }
  list(): PodRecord[] {
    return [...this.pods.values()];
  }
  listAll(): PodRecord[] {
    return this.list();
  }
}

async function setup(t: ExecutionContext, dir?: string, fake = new FakePods()) {
  const stateDir = dir ?? (await tempDir(t, 'minipod-deploy-'));
  const store = new DeploymentStore(stateDir);
  await store.init();
  const events = new EventLog();
  const c = new DeploymentController(store, fake as unknown as PodManager, events);
  await c.init();
  t.teardown(() => c.stop());
  return { c, fake, stateDir, events };
}

test('apply makes replicas pods named web-<hash>-<suffix>, labelled and owned; again: unchanged', async (t) => {
  const { c, fake } = await setup(t);
  const { deployment, result } = await c.apply(manifest());
  t.is(result, 'created');
  await c.kick(); // apply does not wait for the pods
  t.is(fake.pods.size, 2);
  for (const p of fake.list()) {
    t.regex(p.name, new RegExp(`^web-${deployment.templateHash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    t.deepEqual(p.manifest.metadata.labels, { app: 'web_server', 'pod-template-hash': deployment.templateHash });
    t.like(p.manifest.metadata.ownerReferences?.[0], { kind: 'Deployment', name: 'web', uid: deployment.uid, controller: true });
  }
  t.is((await c.apply(manifest())).result, 'unchanged');
  t.is(fake.created.length, 2);
});

test('a pod removed or stopped by hand is replaced by a new one; scale adds and removes', async (t) => {
  const { c, fake } = await setup(t);
  await c.apply(manifest());
  await c.kick();
  const [first, second] = fake.list();
  fake.pods.delete(first!.name);
  (second as { phase: string }).phase = 'Stopped';
  await c.kick();
  t.is(fake.pods.size, 2);
  t.false(fake.pods.has(first!.name));
  t.false(fake.pods.has(second!.name), 'the stopped pod is removed');
  await c.scale('web', 3);
  await c.kick();
  t.is(fake.pods.size, 3);
  await c.scale('web', 1);
  await c.kick();
  t.is(fake.pods.size, 1);
});

test('a new template recreates the pods; a pod it does not own is left alone', async (t) => {
  const { c, fake } = await setup(t);
  await fake.create({ metadata: { name: 'mine', labels: { app: 'web_server' } } } as unknown as PodManifest);
  const a = await c.apply(manifest());
  await c.kick();
  const b = await c.apply(manifest(2, 'httpd:2'));
  await c.kick();
  t.is(b.result, 'configured');
  t.not(b.deployment.templateHash, a.deployment.templateHash);
  const names = fake.list().map((p) => p.name).sort();
  t.is(names.length, 3);
  t.true(names.includes('mine'));
  t.is(names.filter((n) => n.startsWith(`web-${b.deployment.templateHash}-`)).length, 2);
});

test('a restarted controller finds its pods and makes none; rm removes them all, then the record', async (t) => {
  const first = await setup(t);
  await first.c.apply(manifest());
  await first.c.kick();
  await first.c.stop();
  const again = await setup(t, first.stateDir, first.fake);
  await again.c.kick();
  t.is(first.fake.created.length, 2, 'nothing made twice');
  t.is(again.c.get('web').generation, 1);
  await again.c.remove('web');
  t.is(first.fake.pods.size, 0);
  t.throws(() => again.c.get('web'), { message: /deployment web not found/ });
  t.deepEqual(await readdir(path.join(first.stateDir, 'deployments')), []);
});

test('a record that fails its check is quarantined with why, never run', async (t) => {
  const stateDir = await tempDir(t, 'minipod-deploy-');
  const store = new DeploymentStore(stateDir);
  await store.init();
  await writeFile(path.join(store.dir, 'bad.json'), '{"name": "bad"');
  const c = await setup(t, stateDir);
  await c.c.apply(manifest());
  const good = JSON.parse(JSON.stringify(c.c.get('web')));
  await writeFile(path.join(store.dir, 'forged.json'), JSON.stringify({ ...good, name: 'forged', manifest: { ...good.manifest, metadata: { name: 'forged' } }, templateHash: 'bcdfghjklm' }));
  const { records, quarantined } = await store.loadAll();
  t.deepEqual(records.map((r) => r.name), ['web']);
  t.deepEqual(quarantined.map((q) => q.name).sort(), ['forged']);
  t.true((await readdir(store.dir)).includes('bad.json.corrupt'));
  t.regex(quarantined[0]!.issues.join(' '), /templateHash: is not the hash/);
});

test('applies that create one Deployment at once make one: one uid, replicas pods, the others unchanged', async (t) => {
  const { c, fake } = await setup(t);
  const results = await Promise.all([c.apply(manifest()), c.apply(manifest()), c.apply(manifest())]);
  t.deepEqual(results.map((r) => r.result), ['created', 'unchanged', 'unchanged']);
  t.is(new Set(results.map((r) => r.deployment.uid)).size, 1);
  await c.kick();
  t.is(fake.pods.size, 2);
});

test('an apply beside a removal: the removal wins whole, in memory as on disk; the apply after it is refused', async (t) => {
  const { c, fake, stateDir } = await setup(t);
  await c.apply(manifest(1));
  await c.kick();
  const [applied, removed] = await Promise.allSettled([c.apply(manifest(2)), c.remove('web')]);
  t.is(applied.status, 'fulfilled');
  t.is(removed.status, 'fulfilled');
  t.deepEqual(c.list(), []);
  t.is(fake.pods.size, 0);
  t.deepEqual(await readdir(path.join(stateDir, 'deployments')), []);
});

test('another selector is refused, naming the field, and changes nothing; key order does not count', async (t) => {
  const { c } = await setup(t);
  const a = await c.apply(webDeployment(1, 'web_server', { containers: [{ name: 'httpd', image: 'httpd' }] }));
  const other = webDeployment(1, 'other', { containers: [{ name: 'httpd', image: 'httpd' }] });
  const err = await t.throwsAsync(c.apply(other), { instanceOf: MinipodError });
  t.is(err!.code, 'INVALID_ARGUMENT');
  t.regex(err!.message, /^deployment web: spec\.selector: Invalid value: \{"app":"other"\}: field is immutable .*delete the deployment and apply it again$/);
  t.is(c.get('web').generation, a.deployment.generation);
  const reordered = { ...a.deployment.manifest, spec: { template: a.deployment.manifest.spec.template, replicas: 1, selector: a.deployment.manifest.spec.selector } } as typeof a.deployment.manifest;
  t.is((await c.apply(reordered)).result, 'unchanged');
});

test('Recreate: no pod of the new template while one of the old is still torn down; one Deployment waiting holds up no other', async (t) => {
  const fake = new FakePods();
  // Removal answered at once, the teardown finished later (as pods.remove with force does).
  const tearing = new Map<string, PodRecord>();
  fake.remove = async (name: string) => {
    const p = fake.pods.get(name);
    if (!p) throw new MinipodError('NOT_FOUND', `pod ${name} not found`);
    fake.pods.delete(name);
    tearing.set(name, { ...p, deletionTimestamp: new Date().toISOString() } as PodRecord);
  };
  fake.listAll = () => [...fake.list(), ...tearing.values()];
  const { c, events } = await setup(t, undefined, fake);
  await c.apply(manifest(2));
  await c.kick();
  const next = await c.apply(manifest(2, 'httpd:2'));
  await c.kick();
  t.is(fake.list().length, 0, 'the old pods are going, no new one yet');
  t.is(tearing.size, 2);
  // Another Deployment meanwhile is made at once.
  const other = validateDeployment({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db' }, spec: { replicas: 1, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'httpd' }] } } } });
  await c.apply(other);
  await c.kick();
  t.deepEqual(fake.list().map((p) => p.name.split('-')[0]), ['db']);
  tearing.clear();
  events.record({ name: 'x', uid: 'x' }, 'Removed', 'torn down'); // the teardown's end starts a pass
  await c.kick();
  t.is(fake.list().filter((p) => p.name.startsWith(`web-${next.deployment.templateHash}-`)).length, 2);
});

test("a Deployment whose pod's create waits (a hostPort still held by a pod going) holds up no other's pass", async (t) => {
  const fake = new FakePods();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const create = fake.create.bind(fake);
  fake.create = async (m: PodManifest) => {
    if (m.metadata.name.startsWith('web-')) await held;
    return create(m);
  };
  const { c } = await setup(t, undefined, fake);
  await c.apply(manifest(1));
  await c.apply(validateDeployment({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db' }, spec: { replicas: 1, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'httpd' }] } } } }));
  t.truthy(await waitUntil(() => fake.list().some((p) => p.name.startsWith('db-')), { timeoutMs: 5000, everyMs: 5 }), "db's pod made while web's create waits");
  t.false(fake.list().some((p) => p.name.startsWith('web-')));
  release();
  await c.kick();
  t.true(fake.list().some((p) => p.name.startsWith('web-')));
});

test('apply of a file without replicas keeps what scale set (as kubectl apply leaves a field the file does not set); a new one gets 1', async (t) => {
  const { c, fake } = await setup(t);
  const bare = validateDeployment({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web_server' } }, template: { metadata: { labels: { app: 'web_server' } }, spec: { containers: [{ name: 'httpd', image: 'httpd' }] } } } });
  t.is(bare.spec.replicas, undefined);
  t.is((await c.apply(bare)).deployment.manifest.spec.replicas, 1);
  await c.scale('web', 3);
  t.is((await c.apply(bare)).result, 'unchanged');
  await c.kick();
  t.is(fake.pods.size, 3);
  t.is((await c.apply({ ...bare, spec: { ...bare.spec, replicas: 2 } })).deployment.manifest.spec.replicas, 2, 'one the file sets is taken');
});

test('a template written with empty objects keeps its hash and its pods: through scale, and through an apply that leaves them out', async (t) => {
  const { c, fake, stateDir } = await setup(t);
  const withEmpty = webDeployment(2, 'web_server', { securityContext: {}, containers: [{ name: 'httpd', image: 'httpd', resources: {} }] });
  const first = (await c.apply(withEmpty)).deployment;
  await c.kick();
  const pods = fake.list().map((p) => p.name).sort();
  t.is((await c.scale('web', 2)).templateHash, first.templateHash);
  const without = (replicas: number) => webDeployment(replicas, 'web_server', { containers: [{ name: 'httpd', image: 'httpd' }] });
  t.is((await c.apply(without(2))).result, 'unchanged', 'the same template without the empty objects');
  t.is((await c.apply(without(3))).deployment.templateHash, first.templateHash, 'a change elsewhere keeps the template as it was written');
  await c.kick();
  t.is(fake.pods.size, 3);
  t.true(pods.every((n) => fake.pods.has(n)), 'no pod made again');
  // A restarted controller checks the record's hash against its template: it loads.
  const again = await setup(t, stateDir, fake);
  t.is(again.c.get('web').templateHash, first.templateHash);
});

test('rollout restart: the template gets restartedAt, a new hash, and every pod is made again; replicas kept; a Deployment being removed is refused', async (t) => {
  const { c, fake } = await setup(t);
  const a = (await c.apply(manifest())).deployment;
  await c.scale('web', 3);
  await c.kick();
  const before = fake.list().map((p) => p.name);
  const b = await c.restart('web', '2026-11-29T10:00:00.000Z');
  await c.kick();
  t.not(b.templateHash, a.templateHash);
  t.is(b.manifest.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'], '2026-11-29T10:00:00.000Z');
  t.is(b.manifest.spec.replicas, 3);
  t.is(b.generation, a.generation + 2);
  const after = fake.list();
  t.is(after.length, 3);
  t.false(after.some((p) => before.includes(p.name)), 'no pod of before is left');
  t.true(after.every((p) => p.manifest.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'] === '2026-11-29T10:00:00.000Z'), 'the pods carry the template\'s annotation');
  const again = await c.restart('web', '2026-11-29T10:00:01.000Z');
  t.not(again.templateHash, b.templateHash, 'each restart is a new template');
  await c.remove('web');
  await t.throwsAsync(c.restart('web'), { message: /deployment web not found/ });
});

test('an apply of the file after a rollout restart keeps the restart: unchanged, no pod made again', async (t) => {
  const { c, fake } = await setup(t);
  await c.apply(manifest());
  const restarted = await c.restart('web', '2026-11-29T10:00:00.000Z');
  await c.kick();
  const pods = fake.list().map((p) => p.name);
  const again = await c.apply(manifest());
  t.is(again.result, 'unchanged', 'the file never had restartedAt: kubectl apply leaves it');
  t.is(again.deployment.templateHash, restarted.templateHash);
  await c.kick();
  t.deepEqual(fake.list().map((p) => p.name), pods);
});
