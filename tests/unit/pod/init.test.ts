// Init containers on the fake kernel: the order (each to exit 0, then the apps), a failure under
// each restartPolicy, and the STATUS strings and phase kubectl would show at each stage.
import test, { type ExecutionContext } from 'ava';
import { podStatus } from '../../../lib/pod/table.js';
import { kubernetesPhase, podObject } from '../../../cmd/output/pod-object.js';
import { validateManifest } from '../../../lib/manifest/parse.js';
import type { FakeHost } from '../../../lib/os/fake.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { failedContainer } from '../../../lib/api/client.js';
import { fakeNode, leftovers, showBridgeLinks } from '../../helpers/fake-node.js';
import { waitFor } from '../../helpers/wait.js';

/** `sh -c 'exit N'` exits N on the fake; anything else run by sh sleeps until signalled. */
function shExits(fake: FakeHost): void {
  fake.programs.set('sh', (p, _io, host) => {
    const m = /exit (\d+)/.exec(p.argv.join(' '));
    if (m) setImmediate(() => host.exit(p, Number(m[1]), null));
  });
}

function initPod(codes: number[], restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always') {
  return validateManifest({
    metadata: { name: 'web' },
    spec: { restartPolicy, initContainers: codes.map((code, i) => ({ name: `init-${i}`, command: ['sh', '-c', `exit ${code}`] })), containers: [{ name: 'app', command: ['sleep', '1000'] }] },
  });
}

async function node(t: ExecutionContext) {
  const n = await fakeNode(t);
  shExits(n.fake);
  return n;
}

const spawnedPrograms = (fake: FakeHost) => fake.journal.filter((l) => /^spawn (sh |sleep )/.test(l));

test.serial('init containers run one after another, each to exit 0, and only then the app', async (t) => {
  const n = await node(t);
  const { fake, pods, reasons } = n;
  const manifest = validateManifest({ metadata: { name: 'web' }, spec: { initContainers: [{ name: 'init-0', command: ['sh', '-c', 'hold 0'] }, { name: 'init-1', command: ['sh', '-c', 'hold 1'] }], containers: [{ name: 'app', command: ['sleep', '1000'] }] } });
  await pods.create(manifest);
  // Each init container runs until the test ends it with exit 0, so each stage can be seen.
  for (const i of [0, 1]) {
    const p = await waitFor(async () => [...fake.procs.values()].find((q) => q.argv.join(' ') === `/bin/sh -c hold ${i}`), `init-${i} to run`);
    const r = pods.get('web');
    t.is(podStatus(r), `Init:${i}/2`);
    t.is(kubernetesPhase(r), 'Pending');
    t.like(r.containers[0], { state: 'Waiting', reason: 'PodInitializing' });
    t.like(r.initContainers![i], { state: 'Running' });
    fake.exit(p, 0, null);
  }
  const r = await waitFor(async () => pods.get('web').containers[0]!.state === 'Running' && pods.get('web'), 'the app to run');
  t.deepEqual(spawnedPrograms(fake), ['spawn sh -c hold 0', 'spawn sh -c hold 1', 'spawn sleep 1000']);
  t.deepEqual(r.initContainers!.map((c) => [c.name, c.state, c.reason, c.exitCode]), [['init-0', 'Terminated', 'Completed', 0], ['init-1', 'Terminated', 'Completed', 0]]);
  t.is(podStatus(r), 'Running');
  t.is(kubernetesPhase(r), 'Running');
  const status = podObject(r, 'n').status as unknown as { initContainerStatuses: { name: string; state: { terminated?: { reason: string } } }[]; conditions: { type: string; status: string }[] };
  t.deepEqual(status.initContainerStatuses.map((s) => [s.name, s.state.terminated?.reason]), [['init-0', 'Completed'], ['init-1', 'Completed']]);
  t.like(status.conditions.find((c) => c.type === 'Initialized'), { status: 'True' });
  t.true(reasons().includes('Initialized'));
  await pods.remove('web', true);
  t.deepEqual(await leftovers(n), []);
});

test.serial('restartPolicy Never: a failing init container fails the pod (Init:Error, Failed), the next one and the app never start; its sandbox goes, as kubelet kills such a pod', async (t) => {
  const n = await node(t);
  const { fake, pods, reasons } = n;
  await pods.create(initPod([0, 3, 0], 'Never'));
  const r = await waitFor(async () => reasons().includes('InitFailed') && pods.get('web').phase === 'Stopped' && pods.get('web'), 'InitFailed, then the pod stopped');
  t.like(r, { sandbox: null, ip: '' });
  t.deepEqual(await waitFor(async () => { const left = await leftovers(n); return left.length === 2 && left; }, 'the record written'), ['record web.json', 'logs web']);
  t.deepEqual(spawnedPrograms(fake), ['spawn sh -c exit 0', 'spawn sh -c exit 3']);
  t.like(r.initContainers![1], { state: 'Terminated', reason: 'Error', exitCode: 3 });
  t.like(r.initContainers![2], { state: 'Waiting', reason: 'PodInitializing' });
  t.like(r.containers[0], { state: 'Waiting', reason: 'PodInitializing' });
  t.is(podStatus(r), 'Init:Error');
  t.is(kubernetesPhase(r), 'Failed');
  t.regex(r.message ?? '', /init container init-1 failed \(exit code 3\)/);
  t.like(failedContainer(r), { name: 'init-1' }); // what makes `run` exit 1 naming it
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.deepEqual(spawnedPrograms(fake), ['spawn sh -c exit 0', 'spawn sh -c exit 3']); // still nothing more
  await pods.remove('web', true);
});

for (const policy of ['OnFailure', 'Always'] as const) {
  test.serial(`restartPolicy ${policy}: a failing init container is retried with back-off (Init:CrashLoopBackOff), the app never starts`, async (t) => {
    const { fake, pods } = await node(t);
    await pods.create(initPod([1], policy));
    const seen = new Set<string>();
    const r = await waitFor(async () => {
      const p = pods.get('web');
      seen.add(podStatus(p));
      return p.initContainers![0]!.restartCount >= 3 && p;
    }, 'three retries');
    t.true(seen.has('Init:CrashLoopBackOff'), [...seen].join(', '));
    t.is(kubernetesPhase(r), 'Pending');
    t.like(r.containers[0], { state: 'Waiting', reason: 'PodInitializing' });
    t.false(spawnedPrograms(fake).includes('spawn sleep 1000'));
    t.like(r.initContainers![0]!.lastState, { reason: 'Error', exitCode: 1 });
    await pods.remove('web', true);
  });
}

test.serial('a pod without init containers is unchanged: no initContainers in its record or Pod object, Initialized True', async (t) => {
  const { pods } = await node(t);
  const r = await pods.create(validateManifest({ metadata: { name: 'web' }, spec: { containers: [{ name: 'app', command: ['sleep', '1000'] }] } }));
  t.is(r.initContainers, undefined);
  const status = podObject(r, 'n').status as unknown as Record<string, unknown> & { conditions: { type: string; status: string }[] };
  t.false('initContainerStatuses' in status);
  t.like(status.conditions.find((c) => c.type === 'Initialized'), { status: 'True' });
  await pods.remove('web', true);
});

test('STATUS while initializing follows kubectl: Init:I/N, Init:<reason>, then PodInitializing', (t) => {
  const waiting = { state: 'Waiting', reason: 'PodInitializing', exitCode: null, signal: null } as const;
  const done = { state: 'Terminated', reason: 'Completed', exitCode: 0, signal: null } as const;
  const pod = (inits: object[], app: object = waiting) => ({ phase: 'Running', conditions: [], containers: [app], initContainers: inits, manifest: { spec: { restartPolicy: 'Always' } } }) as unknown as PodRecord;
  t.is(podStatus(pod([waiting, waiting])), 'Init:0/2');
  t.is(podStatus(pod([done, { ...waiting, state: 'Running', reason: null }])), 'Init:1/2');
  t.is(podStatus(pod([done, { state: 'Terminated', reason: 'Error', exitCode: 1, signal: null }])), 'Init:Error');
  t.is(podStatus(pod([{ ...waiting, reason: 'CrashLoopBackOff' }, waiting])), 'Init:CrashLoopBackOff');
  t.is(podStatus(pod([done, done])), 'PodInitializing');
  t.is(podStatus(pod([done, done], { state: 'Running', reason: null })), 'Running');
});

test('initContainers: names shared with the containers are refused, and one without image or command is named', (t) => {
  const err = t.throws(() => validateManifest({ metadata: { name: 'web' }, spec: { initContainers: [{ name: 'app', command: ['true'] }, { name: 'x' }], containers: [{ name: 'app', command: ['sleep', '1'] }] } }));
  t.regex(err.message, /spec\.initContainers\[1\]\.command: is required/);
  t.regex(err.message, /spec\.containers\[0\]\.name: duplicate "app"/);
});

test.serial('daemon restart: a completed init container is not run again, a running one is re-adopted, and its exit then starts the app', async (t) => {
  const first = await node(t);
  showBridgeLinks(first.fake);
  const { fake } = first;
  await first.pods.create(validateManifest({ metadata: { name: 'web' }, spec: { initContainers: [{ name: 'init-0', command: ['sh', '-c', 'exit 0'] }, { name: 'init-1', command: ['sh', '-c', 'hold'] }], containers: [{ name: 'app', command: ['sleep', '1000'] }] } }));
  const held = await waitFor(async () => [...fake.procs.values()].find((q) => q.argv.join(' ') === '/bin/sh -c hold'), 'init-1 to run');
  await first.pods.detachAll();
  fake.daemonGone();
  const mark = fake.journal.length;
  const next = await fakeNode(t, { fake, stateDir: first.stateDir });
  const r = next.pods.get('web');
  t.like(r.initContainers![0], { state: 'Terminated', exitCode: 0, restartCount: 0 });
  t.like(r.initContainers![1], { state: 'Running', pid: held.pid });
  t.is(podStatus(r), 'Init:1/2');
  t.deepEqual(fake.journal.slice(mark).filter((l) => /^spawn (sh |sleep )/.test(l)), [], 'nothing run again');
  t.deepEqual(fake.journal.slice(mark).filter((l) => l.startsWith(`kill ${held.pid} `) || l.startsWith(`kill -${held.pid} `)), [], 'the running init container is not swept as a stray');
  fake.exit(held, 0, null);
  await waitFor(async () => next.pods.get('web').containers[0]!.state === 'Running', 'the app to start');
  t.deepEqual(fake.journal.slice(mark).filter((l) => /^spawn (sh |sleep )/.test(l)), ['spawn sleep 1000']);
  await next.pods.remove('web', true);
});

test.serial('daemon restart: an init container that exited 0 while no daemon watched is decided from its shim\'s status: the app starts', async (t) => {
  const first = await node(t);
  showBridgeLinks(first.fake);
  const { fake } = first;
  await first.pods.create(validateManifest({ metadata: { name: 'web' }, spec: { initContainers: [{ name: 'init-0', command: ['sh', '-c', 'hold'] }], containers: [{ name: 'app', command: ['sleep', '1000'] }] } }));
  const held = await waitFor(async () => [...fake.procs.values()].find((q) => q.argv.join(' ') === '/bin/sh -c hold'), 'init-0 to run');
  await first.pods.detachAll();
  fake.daemonGone();
  fake.exit(held, 0, null);
  await new Promise((resolve) => setImmediate(resolve)); // its shim writes the status file
  const next = await fakeNode(t, { fake, stateDir: first.stateDir });
  const r = await waitFor(async () => next.pods.get('web').containers[0]!.state === 'Running' && next.pods.get('web'), 'the app to start');
  t.like(r.initContainers![0], { state: 'Terminated', reason: 'Completed', exitCode: 0, restartCount: 0 });
  await next.pods.remove('web', true);
});
