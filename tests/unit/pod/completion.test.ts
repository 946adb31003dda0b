// A pod whose containers have all ended for good (Kubernetes' Succeeded or Failed) on the fake
// kernel: its sandbox is stopped and its IP released, as kubelet kills such a pod; the record and
// logs stay, and `ps` shows how it ended. What has not ended, or will run again, is left alone.
import test from 'ava';
import { kubernetesPhase } from '../../../cmd/output/pod-object.js';
import { validateManifest } from '../../../lib/manifest/parse.js';
import { containerEnded, podEnded, stoppedStatus } from '../../../lib/pod/completion.js';
import { podStatus } from '../../../lib/pod/table.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { fakeNode, journalLeases, journalSince, leftovers, sleepPod, TEARDOWN } from '../../helpers/fake-node.js';
import { validRecord } from '../../helpers/record.js';
import { waitFor } from '../../helpers/wait.js';

const pod = (policy: 'Always' | 'OnFailure' | 'Never', ...containers: [state: 'Running' | 'Terminated' | 'Waiting', exitCode: number | null, restartAt?: string][]) => {
  const r = validRecord('/state');
  r.manifest.spec.restartPolicy = policy;
  r.containers = containers.map(([state, exitCode, restartAt], i) => ({ ...r.containers[0]!, name: `c${i}`, state, exitCode, restartAt: restartAt ?? null, reason: state === 'Terminated' ? (exitCode === 0 ? 'Completed' : 'Error') : null }));
  return r;
};

test('podEnded: every container ended and none to run again under its policy', (t) => {
  t.is(podEnded(pod('Never', ['Terminated', 0], ['Terminated', 0])), 'Succeeded');
  t.is(podEnded(pod('Never', ['Terminated', 0], ['Terminated', 2])), 'Failed');
  t.is(podEnded(pod('Never', ['Terminated', 0], ['Running', null])), undefined, 'one still runs');
  t.is(podEnded(pod('OnFailure', ['Terminated', 0])), 'Succeeded');
  t.is(podEnded(pod('OnFailure', ['Terminated', 1])), undefined, 'OnFailure starts it again');
  t.is(podEnded(pod('OnFailure', ['Terminated', 0], ['Waiting', null, '2026-01-01T00:00:00Z'])), undefined, 'one waits in back-off');
  t.is(podEnded(pod('Always', ['Terminated', 0])), undefined, 'Always: never');
  const initFailed = pod('Never', ['Waiting', null]);
  initFailed.initContainers = [{ ...initFailed.containers[0]!, name: 'init', state: 'Terminated', exitCode: 3, reason: 'Error' }];
  t.is(podEnded(initFailed), 'Failed', 'an init container failed under Never');
});

test('stoppedStatus: how they ended, or Stopped when minipod stopped one', (t) => {
  t.is(stoppedStatus(pod('Never', ['Terminated', 0])), 'Completed');
  t.is(stoppedStatus(pod('Never', ['Terminated', 1], ['Terminated', 0])), 'Error');
  const killed = pod('Never', ['Terminated', 0], ['Terminated', 137]);
  killed.containers[1]!.reason = 'Killed';
  t.is(stoppedStatus(killed), 'Stopped');
});

for (const [policy, code, phase, status] of [['Never', 0, 'Succeeded', 'Completed'], ['Never', 2, 'Failed', 'Error'], ['OnFailure', 0, 'Succeeded', 'Completed']] as const) {
  test.serial(`restartPolicy ${policy}, exit ${code}: the sandbox is stopped and the IP released; the record (${phase}, ${status}) and logs stay`, async (t) => {
    const node = await fakeNode(t);
    const { fake, pods, reasons } = node;
    journalLeases(node);
    const r0 = await pods.create(sleepPod('job', { restartPolicy: policy }));
    const { pid: holder, netns, hostVeth } = r0.sandbox!;
    const { ip, uid } = r0; // r0 is the live record: the teardown clears them
    const from = fake.journal.length;
    fake.exit(fake.procs.get(r0.containers[0]!.pid!)!, code, null);
    const r = await waitFor(async () => pods.get('job').phase === 'Stopped' && pods.get('job'), 'the pod stopped');
    t.deepEqual(journalSince(fake, from, ...TEARDOWN), [`pin ${netns}`, `kill -${holder} SIGTERM`, `kill -${holder} SIGCONT`, `unpin ${netns}`, `kernel frees veth ${hostVeth}`, `cgroup remove pod-${uid}`, `lease release ${ip}`], 'no app to kill: the holder, the veth, the cgroup, the lease');
    t.like(r, { sandbox: null, ip: '', message: `completed (${phase}): every container has ended` });
    t.like(r.containers[0], { state: 'Terminated', exitCode: code, reason: code === 0 ? 'Completed' : 'Error' });
    t.is(podStatus(r), status);
    t.is(kubernetesPhase(r), phase);
    t.deepEqual(reasons().slice(-2), ['PodCompleted', 'SandboxDeleted']);
    t.false(reasons().includes('Killing'), 'nothing was killed');
    // Once its last write is done (a temp file beside the record meanwhile).
    t.deepEqual(await waitFor(async () => { const left = await leftovers(node); return left.length === 2 && left; }, 'the record written'), ['record job.json', 'logs job']);
    await pods.remove('job', false); // Stopped: no -f needed
    t.deepEqual(await leftovers(node), []);
  });
}

test.serial('a pod with one container still running, or one restarted by its policy, keeps its sandbox', async (t) => {
  const { fake, pods, reasons } = await fakeNode(t);
  const two = await pods.create(validateManifest({ metadata: { name: 'two' }, spec: { restartPolicy: 'Never', containers: [{ name: 'a', command: ['sleep', '1000'] }, { name: 'b', command: ['sleep', '1000'] }] } }));
  const retry = await pods.create(sleepPod('retry', { restartPolicy: 'OnFailure' }));
  fake.exit(fake.procs.get(two.containers[0]!.pid!)!, 0, null);
  fake.exit(fake.procs.get(retry.containers[0]!.pid!)!, 1, null);
  await waitFor(async () => pods.get('retry').containers[0]!.restartCount === 1 && pods.get('two').containers[0]!.state === 'Terminated', 'the exits decided');
  for (const name of ['two', 'retry']) t.like(pods.get(name), { phase: 'Running' }, name);
  t.truthy(pods.get('two').sandbox);
  t.false(reasons().includes('PodCompleted'));
  for (const name of ['two', 'retry']) await pods.remove(name, true);
});

test.serial('`stop` of a running pod still reads Stopped: its container was killed, it did not end', async (t) => {
  const { pods } = await fakeNode(t);
  await pods.create(sleepPod('web', { restartPolicy: 'Never', terminationGracePeriodSeconds: 1 }));
  const r: PodRecord = await pods.stop('web');
  t.is(podStatus(r), 'Stopped');
  await pods.remove('web', false);
});

test.serial('an exit and a `stop` at once: one teardown, whichever comes first under the lock', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods, reasons } = node;
  journalLeases(node);
  const r0 = await pods.create(sleepPod('job', { restartPolicy: 'Never' }));
  const ip = r0.ip;
  fake.exit(fake.procs.get(r0.containers[0]!.pid!)!, 0, null);
  const r = await pods.stop('job');
  await new Promise((resolve) => setTimeout(resolve, 50)); // a second teardown, were one queued, would run now
  t.is(r.phase, 'Stopped');
  t.deepEqual(fake.journal.filter((l) => l.startsWith('lease release')), [`lease release ${ip}`]);
  t.is(reasons().filter((x) => x === 'SandboxDeleted').length, 1);
  await pods.remove('job', false);
});

test.serial('without the supervisor (a CRI front end decides) an ended pod keeps its sandbox until asked; a stop then reads as it ended', async (t) => {
  const { fake, pods, reasons } = await fakeNode(t, { supervise: false });
  const r0 = await pods.create(sleepPod('job', { restartPolicy: 'Never' }));
  fake.exit(fake.procs.get(r0.containers[0]!.pid!)!, 3, null);
  await waitFor(async () => pods.get('job').containers[0]!.state === 'Terminated', 'the exit recorded');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.like(pods.get('job'), { phase: 'Running' });
  t.truthy(pods.get('job').sandbox);
  t.false(reasons().includes('PodCompleted'));
  const r = await pods.stop('job');
  t.is(podStatus(r), 'Error');
  t.false(reasons().includes('Killing'));
  await pods.remove('job', false);
});

test('containerEnded: a run that is the last (Never; OnFailure after exit 0; an init container done; a Stopped pod), not one to be started again', (t) => {
  t.true(containerEnded(pod('Never', ['Terminated', 1]), 'c0'));
  t.true(containerEnded(pod('OnFailure', ['Terminated', 0]), 'c0'));
  t.false(containerEnded(pod('OnFailure', ['Terminated', 1]), 'c0'));
  t.false(containerEnded(pod('Always', ['Terminated', 0]), 'c0'), 'Always: it starts again');
  t.false(containerEnded(pod('Never', ['Running', null]), 'c0'));
  t.false(containerEnded(pod('Never', ['Terminated', 0, '2026-01-01T00:00:00Z']), 'c0'), 'a restart is armed');
  t.true(containerEnded({ ...pod('Always', ['Running', null]), phase: 'Stopped' }, 'c0'));
  const init = pod('Always', ['Waiting', null]);
  init.initContainers = [{ ...init.containers[0]!, name: 'init', state: 'Terminated', exitCode: 0, reason: 'Completed' }];
  t.true(containerEnded(init, 'init'), 'an init container that completed never runs again');
  init.initContainers[0]!.exitCode = 1;
  t.false(containerEnded(init, 'init'), 'one that failed is retried under Always');
});
