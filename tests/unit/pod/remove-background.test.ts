// rm answered before its teardown is done (fake host): the pod is gone for the user at once,
// while its name, address and kernel objects stay held until the background teardown ends; a
// create of the same name, or in a full subnet, waits for it; shutdown and gc wait for it too.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { MinipodError } from '../../../lib/errors.js';
import { HostPorts } from '../../../lib/network/hostports.js';
import { FakeHost } from '../../../lib/os/fake.js';
import type { RunOptions } from '../../../lib/os/types.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { fakeNode, leftovers, sleepPod } from '../../helpers/fake-node.js';

/** A pod whose app ignores SIGTERM: its teardown lasts the grace period (1 s). */
async function slowPod(node: Awaited<ReturnType<typeof fakeNode>>, name = 'web'): Promise<PodRecord> {
  const r = await node.pods.create(sleepPod(name, { terminationGracePeriodSeconds: 1 }));
  node.fake.procs.get(r.containers[0]!.pid!)!.ignoresTerm = true;
  return r;
}

test.serial('rm -f: gone for the user once answered; record (deletionTimestamp), lease and holder stay until the teardown is done', async (t) => {
  const node = await fakeNode(t);
  const { pods, fake, stateDir } = node;
  const r = await slowPod(node);
  await node.answered('web', true);
  t.deepEqual(pods.list(), []);
  t.is((t.throws(() => pods.get('web')) as MinipodError).code, 'NOT_FOUND');
  t.is(pods.removing(), 1);
  const onDisk = JSON.parse(await readFile(path.join(stateDir, 'pods', 'web.json'), 'utf8')) as PodRecord;
  t.truthy(onDisk.deletionTimestamp, 'the intent is on disk: a restarted daemon finishes the teardown');
  t.true(fake.procs.has(r.sandbox!.pid), 'the holder is still there');
  t.true((await leftovers(node)).includes('lease 10.88.0.2'));
  await pods.removalsDone();
  t.is(pods.removing(), 0);
  t.deepEqual(await leftovers(node), []);
});

test.serial('a create of the name of a pod being torn down waits for the teardown, then gets its own record', async (t) => {
  const node = await fakeNode(t);
  const old = await slowPod(node);
  await node.answered('web', true);
  const again = await node.pods.create(sleepPod());
  t.is(node.pods.removing(), 0, 'created only once the teardown was done');
  t.not(again.uid, old.uid);
  t.is(node.pods.get('web').phase, 'Running');
});

test.serial('a full subnet with a teardown under way: the create waits for its address, never takes one still in use', async (t) => {
  const node = await fakeNode(t, { subnet: '10.88.0.0/30' }); // one pod address: 10.88.0.2
  await slowPod(node, 'a');
  await node.answered('a', true);
  const b = await node.pods.create(sleepPod('b'));
  t.is(node.pods.removing(), 0, 'the address was handed out only after the teardown released it');
  t.is(b.ip, '10.88.0.2');
  const err = await t.throwsAsync(node.pods.create(sleepPod('c')));
  t.is((err as MinipodError).code, 'EXHAUSTED', 'full with nothing being torn down: refused as before');
});

test.serial('rm of a pod already being removed: NOT_FOUND, as a pod deleted twice', async (t) => {
  const node = await fakeNode(t);
  await slowPod(node);
  await node.answered('web', true);
  const err = await t.throwsAsync(node.answered('web', true));
  t.is((err as MinipodError).code, 'NOT_FOUND');
  await node.pods.removalsDone();
});

test.serial('daemon shutdown (stop pods or leave them) finishes the teardowns already answered', async (t) => {
  for (const stopPods of [true, false]) {
    const node = await fakeNode(t);
    await slowPod(node);
    await node.answered('web', true);
    await (stopPods ? node.pods.stopAll() : node.pods.detachAll());
    t.is(node.pods.removing(), 0);
    t.deepEqual(await leftovers(node), []);
  }
});

test.serial('gc waits for the teardowns under way: what they still hold is no orphan', async (t) => {
  const node = await fakeNode(t);
  await slowPod(node);
  await node.answered('web', true);
  t.deepEqual(await node.pods.gc(false), []);
  t.is(node.pods.removing(), 0);
  t.deepEqual(await leftovers(node), []);
});

test.serial('a create that publishes a hostPort a pod being torn down still holds waits for the teardown, never refused', async (t) => {
  // nft on the fake host: every write accepted, every map listed empty (gc.test.ts keeps the elements).
  const fake = new FakeHost();
  Object.assign(fake.tools, { nft: '/usr/sbin/nft' });
  const run = fake.run.bind(fake);
  fake.run = async (argv: readonly string[], o?: RunOptions) => {
    const out = await run(argv, o);
    return argv.includes('-j') ? JSON.stringify({ nftables: [{ metainfo: {} }, { map: { name: argv.at(-1), elem: [] } }] }) : out;
  };
  const node = await fakeNode(t, { fake, hostPorts: new HostPorts() });
  const withPort = (name: string) => sleepPod(name, { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', '1000'], ports: [{ containerPort: 80, hostPort: 8080 }] }] });
  const old = await node.pods.create(withPort('a'));
  node.fake.procs.get(old.containers[0]!.pid!)!.ignoresTerm = true;
  await node.answered('a', true);
  const b = await node.pods.create(withPort('b'));
  t.is(node.pods.removing(), 0, 'created once the old pod\'s mapping was gone');
  t.is(b.phase, 'Running');
});

test.serial('apply of a pod being torn down makes it anew once the teardown is done (not NOT_FOUND)', async (t) => {
  const node = await fakeNode(t);
  const old = await slowPod(node);
  await node.answered('web', true);
  const { result, pod } = await node.pods.apply(sleepPod());
  t.is(result, 'created');
  t.not(pod.uid, old.uid);
  t.is(node.pods.removing(), 0);
});
