// removePod on the fake host: a running pod is refused without force (and nothing changes);
// with force it is stopped and its record, logs and lease are gone; a removal cut short after
// any step (failpoints remove/…) is finished by running it again.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { MinipodError } from '../../../lib/errors.js';
import { armFailpoints } from '../../../lib/failpoints.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { waitFor } from '../../helpers/wait.js';
import { fakeNode, journalLeases, journalSince, leftovers, sleepPod, teardownJournal, TEARDOWN } from '../../helpers/fake-node.js';

test.serial('rm of a running pod without force is refused and changes nothing', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods, stateDir } = node;
  const r = await pods.create(sleepPod());
  const before = await leftovers(node);
  const from = fake.journal.length;
  const err = await t.throwsAsync(pods.remove('web', false));
  t.is((err as MinipodError).code, 'CONFLICT');
  t.is(err!.message, 'pod web is Running: stop it first (`minipod stop web`) or use `minipod rm -f web`');
  t.deepEqual(fake.journal.slice(from), []);
  t.deepEqual(await leftovers(node), before);
  t.is(pods.get('web').phase, 'Running');
  t.is(fake.procs.get(r.containers[0]!.pid!)?.state, 'S', 'the app still runs');
  const onDisk = JSON.parse(await readFile(path.join(stateDir, 'pods', 'web.json'), 'utf8')) as PodRecord;
  t.like(onDisk, { phase: 'Running', deletionTimestamp: null });
});

test.serial('rm -f of a running pod: stopped as by stop, then record, logs and lease are gone', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods } = node;
  journalLeases(node);
  const expected = teardownJournal(await pods.create(sleepPod())); // before rm clears the live record
  const from = fake.journal.length;
  await pods.remove('web', true);
  t.deepEqual(journalSince(fake, from, ...TEARDOWN), expected, 'the teardown of stop');
  t.deepEqual(node.reasons().slice(-3), ['Killing', 'SandboxDeleted', 'Removed']);
  t.deepEqual(await leftovers(node), []);
  t.deepEqual(pods.list(), []);
  t.is((t.throws(() => pods.get('web')) as MinipodError).code, 'NOT_FOUND');
});

test.serial('rm of a stopped pod needs no force and makes no kernel call', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods } = node;
  await pods.create(sleepPod());
  await pods.stop('web');
  const from = fake.journal.length;
  await pods.remove('web', false);
  t.deepEqual(journalSince(fake, from, 'pin', 'kill', 'ip ', 'cgroup create', 'spawn'), [], 'the teardown was done by stop');
  t.deepEqual(await leftovers(node), []);
  t.deepEqual(pods.list(), []);
});

const removeSteps = ['persist-record', 'stop-apps', 'stop-holder', 'delete-netns-name', 'delete-sandbox', 'remove-cgroup', 'release-IP', 'delete-logs', 'delete-record'];

for (const step of removeSteps) {
  test.serial(`rm -f fails after "${step}": the error names it, the pod is kept, a second rm -f finishes and leaves nothing`, async (t) => {
    const node = await fakeNode(t);
    const { pods, stateDir } = node;
    await pods.create(sleepPod());
    t.teardown(() => armFailpoints([]));
    armFailpoints([`remove/${step}`]);
    const expected = new RegExp(`^failed to remove pod web: ${step.replaceAll('-', ' ')}: failpoint remove/${step} fired`);
    if (step === 'persist-record') {
      // Before the intent is on disk: rm itself fails.
      const err = await t.throwsAsync(pods.remove('web', true));
      t.regex(err!.message, expected);
    } else {
      // rm was answered; the teardown failed in the background: the pod is back, Terminating, saying why.
      await pods.remove('web', true);
      t.regex(pods.get('web').message ?? '', expected);
      t.truthy(pods.get('web').deletionTimestamp);
      t.is(node.reasons().at(-1), 'RemoveFailed');
    }
    armFailpoints([]);
    const kept = pods.get('web');
    t.truthy(kept.deletionTimestamp, 'the intent to remove is recorded');
    const onDisk = JSON.parse(await readFile(path.join(stateDir, 'pods', 'web.json'), 'utf8').catch(() => 'null')) as PodRecord | null;
    if (onDisk) t.truthy(onDisk.deletionTimestamp, 'and persisted: a restarted daemon finishes the removal');
    await pods.remove('web', true);
    t.deepEqual(await leftovers(node), []);
    t.deepEqual(pods.list(), []);
    const again = await pods.create(sleepPod());
    t.is(again.ip, '10.88.0.2', 'the address was released');
  });
}

test.serial('a removal cut short after its release, finished by the next daemon, spares the address\'s new pod (no Stopped write before the record goes)', async (t) => {
  const first = await fakeNode(t);
  const a = structuredClone(await first.pods.create(sleepPod('a')));
  await first.pods.remove('a', true);
  const b = await first.pods.create(sleepPod('b'));
  t.is(b.ip, a.ip, 'the address went to the next pod');
  await first.pods.detachAll();
  // What a daemon killed between a's release and its record's deletion left: the intent, naming the address.
  await writeFile(path.join(first.stateDir, 'pods', 'a.json'), `${JSON.stringify({ ...a, phase: 'Terminating', deletionTimestamp: new Date().toISOString() }, null, 2)}\n`);
  const next = await fakeNode(t, { fake: first.fake, stateDir: first.stateDir });
  await waitFor(async () => !next.pods.list().some((r) => r.name === 'a') || undefined, 'a\'s removal finished by the next daemon');
  t.is(await readFile(path.join(first.stateDir, 'leases', a.ip), 'utf8'), `${b.uid}\n`, 'b keeps its lease');
  t.is(next.pods.get('b').ip, a.ip);
});
