// stopPod on the fake host: apps stopped by process group (SIGTERM, SIGKILL after the grace
// period), stragglers in the pod's network namespace swept under a pin, then the holder (the
// kernel frees the veth with the namespace), cgroup and IP, in that order; idempotent; and a
// holder already gone is never signalled.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { PodRecord } from '../../../lib/pod/types.js';
import { fakeNode, journalLeases, journalSince, leftovers, sleepPod, teardownJournal, TEARDOWN } from '../../helpers/fake-node.js';
import { waitFor } from '../../helpers/wait.js';


test.serial('stop: SIGTERM to the app\'s group, SIGKILL after the grace period, stragglers swept under a pin, then holder (the veth goes with its namespace), cgroup, IP', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods, stateDir } = node;
  journalLeases(node);
  const r = await pods.create(sleepPod('web', { terminationGracePeriodSeconds: 1 }));
  const { pid: holder, netns, hostVeth } = r.sandbox!;
  const app = fake.procs.get(r.containers[0]!.pid!)!;
  app.ignoresTerm = true;
  // Started by the app outside its group and its cgroup (setsid, then moved): only its namespace says it is the pod's.
  const straggler = fake.add({ argv: ['/usr/bin/sleep', 'forever'], ns: { net: netns } });
  const from = fake.journal.length;
  const stopped = await pods.stop('web');
  t.deepEqual(journalSince(fake, from, ...TEARDOWN), [
    `pin ${netns}`,
    `kill -${app.pid} SIGTERM`,
    `kill -${app.pid} SIGCONT`,
    `kill -${app.pid} SIGKILL`, // it ignored SIGTERM for the grace period
    `kill ${straggler.pid} SIGKILL`,
    `kill -${holder} SIGTERM`, // it unmounts its netns name itself
    `kill -${holder} SIGCONT`,
    `unpin ${netns}`, // held until the name is gone: the namespace's number is nobody else's meanwhile
    `kernel frees veth ${hostVeth}`, // waited for, not deleted by hand
    `cgroup remove pod-${r.uid}`,
    'lease release 10.88.0.2',
  ]);
  t.is(fake.pins.size, 0);
  t.false(fake.procs.has(straggler.pid));
  t.deepEqual(node.reasons().slice(-2), ['Killing', 'SandboxDeleted']);
  t.is(stopped.phase, 'Stopped');
  t.like(stopped.containers[0], { state: 'Terminated', reason: 'Killed', signal: 'SIGKILL', pid: null, netns: null });
  const onDisk = JSON.parse(await readFile(path.join(stateDir, 'pods', 'web.json'), 'utf8')) as PodRecord;
  t.like(onDisk, { phase: 'Stopped', sandbox: null, ip: '', message: 'stop requested' });
  t.like(onDisk.containers[0], { state: 'Terminated', reason: 'Killed', pid: null });
  // The record stays (Stopped) until rm; nothing else of the pod does.
  t.deepEqual(await leftovers(node), ['record web.json', 'logs web']);
});

test.serial('stop: an app that exits on SIGTERM is not SIGKILLed; the holder is spared by the sweep', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods } = node;
  journalLeases(node);
  const expected = teardownJournal(await pods.create(sleepPod('web', { terminationGracePeriodSeconds: 30 }))); // before stop clears the live record
  const from = fake.journal.length;
  const stopped = await pods.stop('web');
  t.deepEqual(journalSince(fake, from, ...TEARDOWN), expected);
  t.like(stopped.containers[0], { state: 'Terminated', reason: 'Killed', signal: 'SIGTERM' });
});

test.serial('stop twice: the second changes nothing and returns the same Stopped record', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods } = node;
  await pods.create(sleepPod());
  const first = await pods.stop('web');
  const from = fake.journal.length;
  const reasons = node.reasons().length;
  const second = await pods.stop('web');
  t.is(second, first);
  t.is(second.phase, 'Stopped');
  t.deepEqual(fake.journal.slice(from), [], 'no kernel call');
  t.is(node.reasons().length, reasons, 'no event');
  t.deepEqual(await leftovers(node), ['record web.json', 'logs web']);
});

/**
 * A running pod (unsupervised: a death is only recorded, not repaired, so stop meets it) whose
 * holder, and app too if `appToo`, then died; what was recorded of it, taken before stop clears it.
 */
async function podWithHolderGone(t: ExecutionContext, appToo: boolean) {
  const node = await fakeNode(t, { supervise: false });
  journalLeases(node);
  const { fake, pods } = node;
  const r = await pods.create(sleepPod());
  const [was, app] = [{ ...r.sandbox! }, r.containers[0]!.pid!];
  if (appToo) fake.exit(fake.procs.get(app)!, 1, null);
  fake.exit(fake.procs.get(was.pid)!, null, 'SIGKILL');
  await waitFor(async () => pods.get('web').phase === 'SandboxLost', 'the pod to be SandboxLost');
  return { node, fake, pods, ...was, holder: was.pid, app, uid: r.uid };
}

test.serial('stop a pod whose holder is gone: the app is stopped, the sweep pins through the app, and the holder\'s pid (reused) is never signalled', async (t) => {
  const { node, fake, pods, holder, app, netns, hostVeth, uid } = await podWithHolderGone(t, false);
  const reused = fake.add({ pid: holder, argv: ['/usr/bin/sleep', 'someone-else'] }); // another process now has the pid
  const from = fake.journal.length;
  const stopped = await pods.stop('web');
  t.is(stopped.phase, 'Stopped');
  t.deepEqual(journalSince(fake, from, ...TEARDOWN), [
    `pin ${netns}`, // through the app: the holder is gone
    `kill -${app} SIGTERM`,
    `kill -${app} SIGCONT`,
    `unpin ${netns}`, // the app was the namespace's last process: it goes, with the veth
    `kernel frees veth ${hostVeth}`,
    `cgroup remove pod-${uid}`,
    'lease release 10.88.0.2',
  ]);
  t.true(fake.procs.has(reused.pid), 'the process that reused the holder\'s pid is untouched');
  fake.exit(reused, 0, null);
  t.deepEqual(await leftovers(node), ['record web.json', 'logs web']);
});

test.serial('stop a pod whose holder and apps are all gone: no pin, no signal, no veth to delete; cgroup and IP still go', async (t) => {
  const { node, fake, pods, hostVeth, uid } = await podWithHolderGone(t, true);
  // Its namespace died with its last process and took the veth pair along.
  t.false(fake.links.has(hostVeth));
  const from = fake.journal.length;
  t.is((await pods.stop('web')).phase, 'Stopped');
  t.deepEqual(journalSince(fake, from, ...TEARDOWN), [`cgroup remove pod-${uid}`, 'lease release 10.88.0.2']);
  t.deepEqual(await leftovers(node), ['record web.json', 'logs web']);
});

test.serial('stop: a command run by exec is stopped with the pod, before the veth goes', async (t) => {
  const { fake, pods } = await fakeNode(t);
  const r = await pods.create(sleepPod());
  const hostVeth = r.sandbox!.hostVeth;
  const { proc: exec, endedBecause } = await pods.exec('web', ['/bin/sh']);
  t.is(fake.procs.get(exec.pid!)!.ns.net, r.sandbox!.netns);
  t.is(endedBecause!(), undefined, 'running: nothing to tell');
  const from = fake.journal.length;
  await pods.stop('web');
  t.is(endedBecause!(), 'minipod: exec ended: pod web is stopping (stop requested)', 'its client is told why it ended');
  const lines = journalSince(fake, from, 'kill', 'kernel frees veth');
  t.true(lines.includes(`kill -${exec.pid} SIGTERM`), lines.join('\n'));
  t.true(lines.indexOf(`kill -${exec.pid} SIGTERM`) < lines.indexOf(`kernel frees veth ${hostVeth}`));
  t.false(fake.procs.has(exec.pid!));
});
