// Pod records on disk: one JSON file each, round-tripped, private, corrupt ones quarantined.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { log } from '../../../lib/log.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { PodStore } from '../../../lib/store/pod-store.js';
import { digestText } from '../../../lib/store/handoff.js';
import { validRecord } from '../../helpers/record.js';
import { tempDir } from '../../helpers/temp.js';

/** A fresh, initialised store in its own temp dir, removed after the test. */
async function tempStore(t: ExecutionContext): Promise<PodStore> {
  const dir = await tempDir(t, 'minipod-pod-store-');
  const store = new PodStore(dir);
  await store.init();
  return store;
}

/** A valid record for this store (its logs under the store's state dir). */
const record = (store: PodStore, name: string) => validRecord(path.dirname(store.dir), name);
/** Its records only. */
const load = async (store: PodStore) => (await store.loadAll()).records;

const byName = (a: PodRecord, b: PodRecord) => a.name.localeCompare(b.name);

test('init creates the pods directory under the state dir', async (t) => {
  const store = await tempStore(t);
  t.is(path.basename(store.dir), 'pods');
  t.true((await stat(store.dir)).isDirectory());
});

test('an empty store loads no records', async (t) => {
  const store = await tempStore(t);
  t.deepEqual(await load(store), []);
});

test('saved records load back unchanged', async (t) => {
  const store = await tempStore(t);
  await store.save(record(store, 'web'));
  await store.save(record(store, 'db'));
  t.deepEqual((await load(store)).sort(byName), [record(store, 'db'), record(store, 'web')]);
});

test('saving again replaces the record', async (t) => {
  const store = await tempStore(t);
  await store.save(record(store, 'web'));
  const stopped = record(store, 'web');
  Object.assign(stopped, { phase: 'Stopped', ip: '', sandbox: null, containers: stopped.containers.map((c) => ({ ...c, state: 'Terminated', reason: 'Killed', pid: null, netns: null, ready: false })) });
  await store.save(stopped);
  const [only, ...rest] = await load(store);
  t.is(rest.length, 0);
  t.is(only!.phase, 'Stopped');
  t.is(only!.ip, '');
});

test('a record file is readable by its owner only (0600)', async (t) => {
  const store = await tempStore(t);
  await store.save(record(store, 'web'));
  t.is((await stat(path.join(store.dir, 'web.json'))).mode & 0o777, 0o600);
});

test('delete removes the record', async (t) => {
  const store = await tempStore(t);
  await store.save(record(store, 'web'));
  await store.save(record(store, 'db'));
  await store.delete('web');
  t.deepEqual((await load(store)).map((r) => r.name), ['db']);
});

test('deleting a missing record is fine', async (t) => {
  const store = await tempStore(t);
  await t.notThrowsAsync(store.delete('never-saved'));
  await store.save(record(store, 'web'));
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

  await store.save(record(store, 'web'));
  await writeFile(path.join(store.dir, 'broken.json'), '{"name": "broken", "pha');
  const records = await load(store);

  t.deepEqual(records.map((r) => r.name), ['web']);
  t.deepEqual((await readdir(store.dir)).sort(), ['broken.json.corrupt', 'broken.json.corrupt.why', 'web.json']);
  t.is(reported.length, 1);
});

test('a quarantined record is not reported again on the next load', async (t) => {
  const store = await tempStore(t);
  const original = log.error;
  log.error = (() => {}) as typeof log.error;
  t.teardown(() => void (log.error = original));

  await writeFile(path.join(store.dir, 'broken.json'), 'not json');
  await load(store);
  t.deepEqual(await load(store), []);
  t.deepEqual((await readdir(store.dir)).sort(), ['broken.json.corrupt', 'broken.json.corrupt.why']);
});

test('files that are not NAME.json (temp files of an atomic write) are ignored', async (t) => {
  const store = await tempStore(t);
  await store.save(record(store, 'web'));
  await writeFile(path.join(store.dir, 'web.json.3274981'), '{"half": ');
  t.deepEqual((await load(store)).map((r) => r.name), ['web']);
});

test('valid JSON that is not a pod record is quarantined too', async (t) => {
  const store = await tempStore(t);
  await writeFile(path.join(store.dir, 'null.json'), 'null');
  await writeFile(path.join(store.dir, 'list.json'), '[]');
  await writeFile(path.join(store.dir, 'other.json'), JSON.stringify(record(store, 'web')));
  t.deepEqual(await load(store), []);
  t.deepEqual((await readdir(store.dir)).filter((f) => f.endsWith('.corrupt')).sort(), ['list.json.corrupt', 'null.json.corrupt', 'other.json.corrupt']);
  t.deepEqual(await store.quarantineReason(path.join(store.dir, 'other.json.corrupt')), ['name: "web" does not match the file name other.json']);
});

// What a forger would write, each quarantined with a reason that names the field.
const forgeries: [string, (r: PodRecord & Record<string, unknown>) => void, RegExp][] = [
  ['a forged argv (/bin/sh -c for the manifest command sleep)', (r) => void (r.containers[0]!.argv = ['/bin/sh', '-c', 'touch /tmp/pwned']), /^containers\[0\]\.argv\[0\]: "\/bin\/sh" is not where the manifest's command "sleep" resolves/],
  ['an extra field', (r) => void (r.hostPID = true), /^unknown field "hostPID"$/],
  ['a bad name', (r) => void (r.name = 'Web'), /^name: must be a DNS-1123 label/],
  ['a log path escaping the logs dir', (r) => void (r.containers[0]!.logPath = '/etc/shadow'), /^containers\[0\]\.logPath: "\/etc\/shadow" is not .*\/logs\/web\/app\.log$/],
  ['a wrong type', (r) => void (r.containers[0]!.restartCount = '0' as unknown as number), /^containers\[0\]\.restartCount: Expected number, received string$/],
];

for (const [what, forge, reason] of forgeries) {
  test.serial(`${what} is quarantined, never loaded, with a reason naming the field`, async (t) => {
    const store = await tempStore(t);
    const reported: { issues: string[] }[] = [];
    const original = log.error;
    log.error = ((fields: { issues: string[] }) => void reported.push(fields)) as typeof log.error;
    t.teardown(() => void (log.error = original));

    const forged = record(store, 'web') as PodRecord & Record<string, unknown>;
    forge(forged);
    await writeFile(path.join(store.dir, 'web.json'), JSON.stringify(forged));
    await store.save(record(store, 'db'));
    const { records, quarantined } = await store.loadAll();

    t.deepEqual(records.map((r) => r.name), ['db']);
    const moved = path.join(store.dir, 'web.json.corrupt');
    t.is(quarantined.length, 1);
    t.is(quarantined[0]!.file, moved);
    t.is(quarantined[0]!.name, 'web');
    t.true(quarantined[0]!.issues.some((i) => reason.test(i)), quarantined[0]!.issues.join('\n'));
    t.deepEqual(await store.quarantineReason(moved), quarantined[0]!.issues, 'the reason is kept beside it for gc');
    t.deepEqual(reported, [{ file: path.join(store.dir, 'web.json'), issues: quarantined[0]!.issues }], 'logged field by field');
    t.deepEqual((await readdir(store.dir)).sort(), ['db.json', 'web.json.corrupt', 'web.json.corrupt.why']);
  });
}

// A restart's handoff (lib/store/handoff.ts): the going daemon vouches for the texts on disk; the
// coming one skips the schema check of a file that is still that very text, and nothing else.
const vouchFor = async (store: PodStore, name: string) => new Map([[name, digestText(await readFile(path.join(store.dir, `${name}.json`), 'utf8'))]]);

test('a store vouches for the texts it would write: written, or read back as the schema gives them (key order aside); no other', async (t) => {
  const store = await tempStore(t);
  await store.save(record(store, 'db'));
  await writeFile(path.join(store.dir, 'api.json'), JSON.stringify(Object.fromEntries(Object.entries(record(store, 'api')).reverse())));
  // Valid, but not as the schema gives it (a default left out): not vouched for.
  const { namespace: _default, ...r } = record(store, 'web');
  await writeFile(path.join(store.dir, 'web.json'), JSON.stringify(r));
  const fresh = new PodStore(path.dirname(store.dir));
  t.deepEqual((await fresh.loadAll()).records.map((x) => x.name).sort(), ['api', 'db', 'web']);
  const text = (name: string) => readFile(path.join(store.dir, `${name}.json`), 'utf8');
  t.deepEqual(fresh.vouch(), { api: digestText(await text('api')), db: digestText(await text('db')) });
  const [web] = (await fresh.loadAll()).records.filter((x) => x.name === 'web');
  await fresh.save(web!); // the same record: not written again, so still not vouched for
  t.deepEqual(Object.keys(fresh.vouch()).sort(), ['api', 'db']);
  web!.message = 'changed';
  await fresh.save(web!); // written as this daemon writes it: vouched for from now on
  t.deepEqual(Object.keys(fresh.vouch()).sort(), ['api', 'db', 'web']);
  t.is(fresh.vouch().web, digestText(await text('web')));
  await fresh.delete('db');
  t.deepEqual(Object.keys(fresh.vouch()).sort(), ['api', 'web']);
});

test('a vouched text skips the schema check only (the old daemon\'s word stands for it): an extra field, which only the schema refuses, loads; a forged argv is quarantined', async (t) => {
  const store = await tempStore(t);
  const extra = { ...record(store, 'web'), hostPID: true };
  await writeFile(path.join(store.dir, 'web.json'), JSON.stringify(extra));
  const forged = record(store, 'db');
  forged.containers[0]!.argv = ['/bin/sh', '-c', 'touch /tmp/pwned'];
  await writeFile(path.join(store.dir, 'db.json'), JSON.stringify(forged));
  const vouched = new Map([...(await vouchFor(store, 'web')), ...(await vouchFor(store, 'db'))]);
  const loaded = await new PodStore(path.dirname(store.dir)).loadAll(vouched);
  t.deepEqual(loaded.records.map((r) => r.name), ['web']);
  t.is(loaded.vouched, 1);
  t.deepEqual(loaded.quarantined.map((q) => q.name), ['db']);
  t.regex(loaded.quarantined[0]!.issues[0]!, /^containers\[0\]\.argv\[0\]: "\/bin\/sh" is not where/);
});

test('a file changed since the vouch is checked whole', async (t) => {
  const store = await tempStore(t);
  await writeFile(path.join(store.dir, 'web.json'), JSON.stringify(record(store, 'web')));
  const vouched = await vouchFor(store, 'web');
  await writeFile(path.join(store.dir, 'web.json'), JSON.stringify({ ...record(store, 'web'), hostPID: true }));
  const loaded = await new PodStore(path.dirname(store.dir)).loadAll(vouched);
  t.is(loaded.vouched, 0);
  t.deepEqual(loaded.quarantined[0]!.issues, ['unknown field "hostPID"']);
});
