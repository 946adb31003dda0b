// Writes teardown never waits for: kept when they fail, retried with back-off until they succeed,
// the newest per key winning; strict writes throw. The pod store on top, with a directory that
// refuses writes and then takes them again.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { log as daemonLog } from '../../../lib/log.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { diskError, PersistQueue } from '../../../lib/store/persist.js';
import { PodStore } from '../../../lib/store/pod-store.js';

daemonLog.level = 'silent'; // the warnings are expected here

const until = async (check: () => boolean, ms = 5000) => {
  for (let waited = 0; !check() && waited < ms; waited += 10) await sleep(10);
  return check();
};

/** An op that fails while `failing.on` and counts its runs. */
function flaky(failing: { on: boolean }, log: string[], what: string) {
  return async () => {
    log.push(what);
    if (failing.on) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  };
}

test('a write that succeeds is done at once; nothing is pending', async (t) => {
  const q = new PersistQueue(10, 40);
  const log: string[] = [];
  t.true(await q.later('a', flaky({ on: false }, log, 'a1')));
  t.deepEqual(q.keys(), []);
  t.deepEqual(log, ['a1']);
});

test('a refused write never throws; it is retried until it succeeds', async (t) => {
  const q = new PersistQueue(10, 40);
  const failing = { on: true };
  const log: string[] = [];
  t.false(await q.later('a', flaky(failing, log, 'a1')));
  t.deepEqual(q.keys(), ['a']);
  t.true(await until(() => log.length >= 3), 'retried while it fails');
  failing.on = false;
  t.true(await until(() => q.keys().length === 0));
  const runs = log.length;
  await sleep(100);
  t.is(log.length, runs, 'no retry once written');
  await q.close();
});

test('the newest write for a key replaces a pending one', async (t) => {
  const q = new PersistQueue(10, 40);
  const failing = { on: true };
  const log: string[] = [];
  await q.later('a', flaky(failing, log, 'save'));
  await q.later('a', flaky(failing, log, 'delete'));
  failing.on = false;
  t.true(await until(() => q.keys().length === 0));
  t.true(log.slice(log.indexOf('delete')).every((op) => op === 'delete'), 'the replaced save never ran again');
});

test('a successful strict write makes an older pending one moot; a failed one throws', async (t) => {
  const q = new PersistQueue(10_000, 10_000);
  const log: string[] = [];
  await q.later('a', flaky({ on: true }, log, 'old'));
  await t.throwsAsync(q.now('b', flaky({ on: true }, log, 'strict')), { message: /no space/ });
  await q.now('a', flaky({ on: false }, log, 'new'));
  t.deepEqual(q.keys(), []);
  await q.close();
});

test('a retry queued behind a newer write in flight does not run after it', async (t) => {
  const q = new PersistQueue(10, 10);
  const log: string[] = [];
  await q.later('a', flaky({ on: true }, log, 'old'));
  // The retry timer fires while this one runs: the old write queues behind it, and must not win.
  t.true(await q.later('a', async () => {
    await sleep(60);
    log.push('new');
  }));
  await sleep(60);
  t.deepEqual(log.slice(log.indexOf('new')), ['new']);
  t.deepEqual(q.keys(), []);
});

test('writes for one key never overlap', async (t) => {
  const q = new PersistQueue();
  let running = 0;
  let overlap = false;
  const op = async () => {
    overlap ||= running > 0;
    running++;
    await sleep(5);
    running--;
  };
  await Promise.all([q.later('a', op), q.now('a', op), q.later('a', op)]);
  t.false(overlap);
});

test('ENOSPC becomes an error that says where to free space', (t) => {
  const err = diskError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), '/s/pods/web.json', '/s');
  t.true(err instanceof MinipodError);
  t.is((err as MinipodError).code, 'EXHAUSTED');
  t.is((err as MinipodError).message, 'no space left on device writing /s/pods/web.json: free space under /s');
  const other = new Error('EACCES');
  t.is(diskError(other, '/x', '/s'), other);
});

test('the pod store: persist keeps a record the disk refuses and writes it once it can', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-persist-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = new PodStore(dir, undefined, new PersistQueue(10, 40));
  // A file where the pods directory should be: every write fails (even for root).
  await writeFile(path.join(dir, 'pods'), '');
  const record = { name: 'web', phase: 'Terminating' } as PodRecord;
  t.false(await store.persist(record));
  await t.throwsAsync(store.save(record));
  t.deepEqual(store.unsaved(), ['web'], 'the failed strict save did not drop the pending one');
  // Changed meanwhile and persisted again, as the daemon does after every change: still refused,
  // and the newer state is what ends up on disk (a retry already under way cannot overtake it).
  record.phase = 'Stopped';
  t.false(await store.persist(record));
  await rm(path.join(dir, 'pods'));
  await mkdir(path.join(dir, 'pods'));
  t.true(await until(() => store.unsaved().length === 0));
  t.is(JSON.parse(await readFile(path.join(dir, 'pods', 'web.json'), 'utf8')).phase, 'Stopped');
  await store.close();
});

test('the pod store: a removal drops a pending write, so a removed record never comes back', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-persist-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = new PodStore(dir, undefined, new PersistQueue(10, 40));
  await writeFile(path.join(dir, 'pods'), '');
  t.false(await store.persist({ name: 'web', phase: 'Stopped' } as PodRecord));
  await rm(path.join(dir, 'pods'));
  await mkdir(path.join(dir, 'pods'));
  t.true(await store.remove('web'));
  t.deepEqual(store.unsaved(), []);
  await sleep(100);
  await t.throwsAsync(readFile(path.join(dir, 'pods', 'web.json')), { code: 'ENOENT' });
});
