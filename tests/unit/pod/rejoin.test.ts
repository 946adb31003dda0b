// sandboxDeathPolicy Rejoin on the fake host: a new holder enters the namespaces a surviving app
// keeps alive (nsenter --target=APP), so nothing restarts and no network work is done; with no
// survivor, or one that cannot be joined, the sandbox is recreated instead. No root.
import test from 'ava';
import type { PodRecord } from '../../../lib/pod/types.js';
import { fakeNode, sleepPod, type FakeNode } from '../../helpers/fake-node.js';
import { waitFor } from '../../helpers/wait.js';

const REJOIN = { sandboxDeathPolicy: 'Rejoin' };

async function rejoiningPod(n: FakeNode): Promise<PodRecord> {
  return structuredClone(await n.pods.create(sleepPod('web', REJOIN)));
}

const nsOf = (n: FakeNode, pid: number) => {
  const { net, uts, ipc } = n.fake.procs.get(pid)!.ns;
  return { net, uts, ipc };
};

test.serial('rejoin: a new holder joins the surviving app\'s namespaces; same netns, veth and app, no ip line, no signal', async (t) => {
  const n = await fakeNode(t);
  const { fake, pods } = n;
  const r0 = await rejoiningPod(n);
  const app = r0.containers[0]!.pid!;
  const mark = fake.journal.length;
  fake.exit(fake.procs.get(r0.sandbox!.pid)!, null, 'SIGKILL');
  await waitFor(async () => n.reasons().includes('SandboxRejoined'), 'SandboxRejoined');

  const r = pods.get('web');
  const sb = r.sandbox!;
  t.is(r.phase, 'Running');
  t.not(sb.pid, r0.sandbox!.pid);
  t.like(sb, { netns: r0.sandbox!.netns, hostVeth: r0.sandbox!.hostVeth, attempt: 1 });
  const holder = fake.procs.get(sb.pid)!;
  t.deepEqual(holder.argv, [fake.tools.pause], 'a plain pause: it makes no namespaces of its own');
  t.deepEqual(nsOf(n, sb.pid), nsOf(n, app), 'it is in the app\'s net, uts and ipc namespaces');
  t.is(sb.startTime, holder.startTime, 'its identity is recorded');
  t.like(r.containers[0], { pid: app, state: 'Running', restartCount: 0 });
  t.like(r.lastRecovery, { action: 'rejoin', attempt: 1 });
  t.true(fake.links.has(sb.hostVeth));

  const steps = fake.journal.slice(mark);
  t.deepEqual(steps.filter((l) => l.startsWith('spawn')), ['spawn pause'], 'only the holder is spawned');
  t.deepEqual(steps.filter((l) => l.startsWith('ip ')), [], 'no network work');
  t.deepEqual(steps.filter((l) => l.startsWith('kill')), [], 'nothing is signalled');
  t.false(n.reasons().includes('SandboxRecreated'));

  // The rejoined holder is watched like the first: its death is a second rejoin.
  fake.exit(holder, null, 'SIGKILL');
  await waitFor(async () => pods.get('web').sandbox!.attempt === 2 && pods.get('web').phase === 'Running', 'the second rejoin');
  t.deepEqual(n.fake.running('pause'), [pods.get('web').sandbox!.pid]);
  t.deepEqual(n.fake.running('sleep'), [app]);
});

test.serial('rejoin: with no app left to join through, the sandbox is recreated', async (t) => {
  const n = await fakeNode(t);
  const { fake, pods } = n;
  const r0 = await rejoiningPod(n);
  const app = r0.containers[0]!.pid!;
  // Both die in one turn: the app's restart waits behind the recovery, which finds no survivor.
  fake.exit(fake.procs.get(app)!, null, 'SIGKILL');
  fake.exit(fake.procs.get(r0.sandbox!.pid)!, null, 'SIGKILL');
  await waitFor(async () => n.reasons().includes('SandboxRecreated'), 'SandboxRecreated');

  const r = pods.get('web');
  t.is(r.phase, 'Running');
  t.not(r.sandbox!.netns, r0.sandbox!.netns);
  t.like(r.lastRecovery, { action: 'recreate', attempt: 1 });
  t.like(r.containers[0], { state: 'Running', restartCount: 1 });
  t.is(fake.procs.get(r.containers[0]!.pid!)!.ns.net, r.sandbox!.netns);
  t.false(n.reasons().includes('SandboxRejoined'));
  t.deepEqual(n.fake.running('pause'), [r.sandbox!.pid]);
  t.deepEqual(n.fake.running('sleep'), [r.containers[0]!.pid]);
});

test.serial('rejoin: a survivor that left the pod\'s namespace cannot be joined through; RejoinFailed, then recreated', async (t) => {
  const n = await fakeNode(t);
  const { fake, pods } = n;
  const r0 = await rejoiningPod(n);
  const app = fake.procs.get(r0.containers[0]!.pid!)!;
  app.ns = { ...app.ns, net: fake.newNs('net') }; // it setns'd away just as the holder died
  fake.exit(fake.procs.get(r0.sandbox!.pid)!, null, 'SIGKILL');
  await waitFor(async () => n.reasons().includes('SandboxRecreated'), 'SandboxRecreated');

  const r = pods.get('web');
  t.true(n.reasons().indexOf('RejoinFailed') < n.reasons().indexOf('SandboxRecreated'));
  t.regex(n.events.list('web').find((e) => e.reason === 'RejoinFailed')!.message, /could not join .* through pid \d+: recreating the sandbox instead/);
  t.is(r.phase, 'Running');
  t.not(r.sandbox!.netns, r0.sandbox!.netns);
  t.like(r.lastRecovery, { action: 'recreate' });
  t.false(fake.procs.has(app.pid), 'the app outside was stopped with the old sandbox');
  t.deepEqual(n.fake.running('pause'), [r.sandbox!.pid], 'the holder that joined the wrong namespace was stopped');
  t.deepEqual(n.fake.running('sleep'), [r.containers[0]!.pid]);
  t.is(fake.pins.size, 0);
});
