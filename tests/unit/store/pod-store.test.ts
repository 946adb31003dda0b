// Pod records on disk: one JSON file each, round-tripped, private, corrupt ones quarantined.
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { log } from '../../../lib/log.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { PodStore } from '../../../lib/store/pod-store.js';

/** A fresh, initialised store in its own temp dir, removed after the test. */
async function tempStore(t: ExecutionContext): Promise<PodStore> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-pod-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = new PodStore(dir);
  await store.init();
  return store;
}

function record(name: string): PodRecord {
  return {
    name,
    uid: `uid-${name}`,
    createdAt: '2024-01-01T00:00:00.000Z',
    phase: 'Running',
    message: null,
    ip: '10.88.0.2',
    prefix: 16,
    gateway: '10.88.0.1',
    mac: '0a:58:0a:58:00:02',
    bridge: 'minipod0',
    sandbox: { pid: 1234, netns: 'net:[4026532000]', attempt: 0, hostVeth: 'mpabcdefghij', createdAt: '2024-01-01T00:00:01.000Z' },
    building: null,
    deletionTimestamp: null,
    containers: [
      {
        name: 'httpd',
        state: 'Running',
        ready: true,
        pid: 1240,
        netns: 'net:[4026532000]',
        restartCount: 0,
        startedAt: '2024-01-01T00:00:02.000Z',
        finishedAt: null,
        exitCode: null,
        signal: null,
        reason: null,
        lastState: null,
        crashes: 0,
        restartAt: null,
        argv: ['/usr/bin/node', 'httpd.js'],
        logPath: `/var/lib/minipod/logs/${name}/httpd.log`,
      },
    ],
    conditions: [],
    manifest: {
      metadata: { name },
      spec: { restartPolicy: 'Always', sandboxDeathPolicy: 'Recreate', terminationGracePeriodSeconds: 30, containers: [{ name: 'httpd', command: ['node', 'httpd.js'], args: [], env: [], ports: [] }] },
    },
    timings: { sandboxMs: 12.5, appsMs: 40.1 },
    lastRecovery: null,
  };
}

const byName = (a: PodRecord, b: PodRecord) => a.name.localeCompare(b.name);

test('init creates the pods directory under the state dir', async (t) => {
  const store = await tempStore(t);
  t.is(path.basename(store.dir), 'pods');
  t.true((await stat(store.dir)).isDirectory());
});

test('an empty store loads no records', async (t) => {
  const store = await tempStore(t);
  t.deepEqual(await store.loadAll(), []);
});

test('saved records load back unchanged', async (t) => {
  const store = await tempStore(t);
  await store.save(record('web'));
  await store.save(record('db'));
  t.deepEqual((await store.loadAll()).sort(byName), [record('db'), record('web')]);
});

test('saving again replaces the record', async (t) => {
  const store = await tempStore(t);
  await store.save(record('web'));
  await store.save({ ...record('web'), phase: 'Stopped', ip: '' });
  const [only, ...rest] = await store.loadAll();
  t.is(rest.length, 0);
  t.is(only!.phase, 'Stopped');
  t.is(only!.ip, '');
});

test('a record file is readable by its owner only (0600)', async (t) => {
  const store = await tempStore(t);
  await store.save(record('web'));
  t.is((await stat(path.join(store.dir, 'web.json'))).mode & 0o777, 0o600);
});

test('delete removes the record', async (t) => {
  const store = await tempStore(t);
  await store.save(record('web'));
  await store.save(record('db'));
  await store.delete('web');
  t.deepEqual((await store.loadAll()).map((r) => r.name), ['db']);
});

test('deleting a missing record is fine', async (t) => {
  const store = await tempStore(t);
  await t.notThrowsAsync(store.delete('never-saved'));
  await store.save(record('web'));
  await store.delete('web');
  await t.notThrowsAsync(store.delete('web'));
});

// Serial: it counts lines on the shared logger, which other tests here also write to.
test.serial('a corrupt record is moved aside to NAME.json.corrupt and skipped', async (t) => {
  const store = await tempStore(t);
  const reported: unknown[] = [];
  const original = log.error;
  log.error = ((...args: unknown[]) => void reported.push(args)) as typeof log.error;
  t.teardown(() => void (log.error = original));

  await store.save(record('web'));
  await writeFile(path.join(store.dir, 'broken.json'), '{"name": "broken", "pha');
  const records = await store.loadAll();

  t.deepEqual(records.map((r) => r.name), ['web']);
  t.deepEqual((await readdir(store.dir)).sort(), ['broken.json.corrupt', 'web.json']);
  t.is(reported.length, 1);
});

test('a quarantined record is not reported again on the next load', async (t) => {
  const store = await tempStore(t);
  const original = log.error;
  log.error = (() => {}) as typeof log.error;
  t.teardown(() => void (log.error = original));

  await writeFile(path.join(store.dir, 'broken.json'), 'not json');
  await store.loadAll();
  t.deepEqual(await store.loadAll(), []);
  t.deepEqual(await readdir(store.dir), ['broken.json.corrupt']);
});

test('files that are not NAME.json (temp files of an atomic write) are ignored', async (t) => {
  const store = await tempStore(t);
  await store.save(record('web'));
  await writeFile(path.join(store.dir, 'web.json.3274981'), '{"half": ');
  t.deepEqual((await store.loadAll()).map((r) => r.name), ['web']);
});

test('valid JSON that is not a pod record is quarantined too', async (t) => {
  const store = await tempStore(t);
  await writeFile(path.join(store.dir, 'null.json'), 'null');
  await writeFile(path.join(store.dir, 'list.json'), '[]');
  await writeFile(path.join(store.dir, 'other.json'), JSON.stringify(record('web')));
  t.deepEqual(await store.loadAll(), []);
  t.deepEqual((await readdir(store.dir)).sort(), ['list.json.corrupt', 'null.json.corrupt', 'other.json.corrupt']);
});
