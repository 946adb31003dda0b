// Sandbox recreation on the fake host: a killed holder gets a new sandbox (new namespaces, fresh
// veth name, same IP and MAC), the apps move to it, the old namespace is swept under a pin; and
// each step's failpoint leaves the pod SandboxLost with nothing of the new sandbox left, retried
// until it succeeds. No root: the kernel is lib/os/fake.ts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { armFailpoints } from '../../../lib/failpoints.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { assertInOrder, CGROUPS, fakeNode, sleepPod, type FakeNode } from '../../helpers/fake-node.js';
import { waitFor } from '../../helpers/wait.js';

/** A running pod and what it was made of, copied (the live record changes as the pod does). */
async function runningPod(n: FakeNode): Promise<PodRecord> {
  return structuredClone(await n.pods.create(sleepPod()));
}

const killHolder = (n: FakeNode, r: PodRecord) => n.fake.exit(n.fake.procs.get(r.sandbox!.pid)!, null, 'SIGKILL');

test.serial('recreate: a killed holder gets a new netns with the same IP and MAC, a fresh veth, the apps restarted in it', async (t) => {
  const n = await fakeNode(t);
  const { fake, pods } = n;
  const r0 = await runningPod(n);
  const old = r0.sandbox!;
  const oldApp = r0.containers[0]!.pid!;
  // What the app left outside its process group: one in the old namespace (a setsid daemon), one
  // that moved to another namespace but stays in the pod's cgroup.
  const straggler = fake.add({ argv: ['/usr/bin/sleep', '2000'], ns: { net: old.netns } });
  const escaped = fake.add({ argv: ['/usr/bin/sleep', '3000'], cgroup: `${CGROUPS}/pod-${r0.uid}` });
  const mark = fake.journal.length;
  killHolder(n, r0);
  await waitFor(async () => n.reasons().includes('SandboxRecreated'), 'SandboxRecreated');

  const r = pods.get('web');
  const sb = r.sandbox!;
  t.is(r.phase, 'Running');
  t.is(r.building, null);
  t.like(r, { ip: r0.ip, mac: r0.mac });
  t.not(sb.pid, old.pid);
  t.not(sb.netns, old.netns, 'a new network namespace');
  t.not(sb.hostVeth, old.hostVeth, 'a fresh veth name');
  t.is(sb.attempt, 1);
  t.is(fake.procs.get(sb.pid)!.ns.net, sb.netns);
  t.is(fake.procs.get(sb.pid)!.cgroup, `${CGROUPS}/pod-${r.uid}`, 'the new holder joined the cgroup after its kill');
  const c = r.containers[0]!;
  t.not(c.pid, oldApp);
  t.like(c, { state: 'Running', restartCount: 1, netns: sb.netns });
  t.is(fake.procs.get(c.pid!)!.ns.net, sb.netns, 'the app runs in the new namespace');
  t.false(fake.procs.has(oldApp));
  t.deepEqual(fake.inNamespace('net', old.netns), [], 'nothing is left in the old namespace');
  t.false(fake.procs.has(straggler.pid), 'the straggler in the old namespace was swept');
  t.false(fake.procs.has(escaped.pid), 'what left the namespace died with the cgroup');
  t.deepEqual([...fake.links.keys()], [sb.hostVeth], 'the old veth is gone, the new one is on the bridge');
  t.is(fake.links.get(sb.hostVeth), 'minipod0');
  t.is(fake.pins.size, 0, 'the old namespace is unpinned');

  const steps = fake.journal.slice(mark);
  // Side by side: the new sandbox is wired (its requests sent first), while the old apps stop
  // and the cgroup is emptied; the apps start once both are done.
  assertInOrder(t, steps, [
    'exit pause SIGKILL',
    'spawn pause -n',
    `ip link add ${sb.hostVeth} master minipod0 up type veth peer name eth0 netns ${sb.pid}`,
    `ip link set ${sb.hostVeth} type bridge_slave hairpin on`,
    `pause ${sb.pid} configure web ${r.ip}/16 10.88.0.1 ${r.mac}`, // the same MAC, given by the holder
    `ip link set ${old.hostVeth} nomaster`, // frames for the pod go to the new namespace from now on
    `ip link del ${old.hostVeth}`, // then the old veth goes (teardown lane), no rtnl lock held while the new one was made
    'spawn sleep 1000',
  ]);
  // before the apps stop: the number is surely still the old namespace's
  assertInOrder(t, steps, [`pin ${old.netns}`, `kill -${oldApp} SIGTERM`, 'exit sleep SIGTERM', `cgroup kill pod-${r.uid}`, `kill ${escaped.pid} SIGKILL`, `cgroup create pod-${r.uid}`, 'spawn sleep 1000']);
  assertInOrder(t, steps, [`pin ${old.netns}`, `kill ${straggler.pid} SIGKILL`, `unpin ${old.netns}`]);
  t.false(steps.some((l) => l.startsWith(`kill ${sb.pid} `) || l.startsWith(`kill -${sb.pid} `)), 'the new holder is never signalled');

  assertInOrder(t, n.reasons().slice(n.reasons().indexOf('SandboxDied')), ['SandboxDied', 'SandboxChanged', 'SandboxCreated', 'NetworkReady', 'Killing', 'ContainerStarted', 'SandboxRecreated']);
  assertInOrder(t, n.reasons(), ['SandboxDeleted', 'SandboxRecreated']);
  t.like(r.lastRecovery, { action: 'recreate', attempt: 1, cause: `pause ${old.pid} killed by SIGKILL` });
  for (const phase of ['detectMs', 'stopAppsMs', 'teardownMs', 'sandboxMs', 'networkMs', 'appsMs', 'totalMs'] as const) t.is(typeof r.lastRecovery![phase], 'number', phase);
  const onDisk = JSON.parse(await readFile(path.join(n.stateDir, 'pods', 'web.json'), 'utf8')) as PodRecord;
  t.like(onDisk, { phase: 'Running', building: null, sandbox: { netns: sb.netns, hostVeth: sb.hostVeth, attempt: 1 }, lastRecovery: { action: 'recreate' } });
});

test.serial('recreate: the new holder is watched like the first (a second death, a second recreation)', async (t) => {
  const n = await fakeNode(t);
  await runningPod(n);
  killHolder(n, n.pods.get('web'));
  await waitFor(async () => n.pods.get('web').sandbox!.attempt === 1 && n.pods.get('web').phase === 'Running', 'the first recreation');
  const first = structuredClone(n.pods.get('web').sandbox!);
  killHolder(n, n.pods.get('web'));
  await waitFor(async () => n.pods.get('web').sandbox!.attempt === 2 && n.pods.get('web').phase === 'Running', 'the second recreation');
  t.not(n.pods.get('web').sandbox!.netns, first.netns);
  t.deepEqual(n.fake.running('pause'), [n.pods.get('web').sandbox!.pid]);
  t.deepEqual(n.fake.running('sleep'), [n.pods.get('web').containers[0]!.pid]);
  t.deepEqual([...n.fake.links.keys()], [n.pods.get('web').sandbox!.hostVeth]);
});

// Every step of recreate.ts, in the order they end: each failpoint fires once the step's undo is
// registered. The Recreating record is written beside the new sandbox; the apps stop once it is wired.
const STEPS = ['start pause holder', 'persist record', 'create veth', 'configure eth0', 'stop apps', 'clear old sandbox', 'start containers'];

for (const [k, step] of STEPS.entries()) {
  test.serial(`recreate/${step.replaceAll(' ', '-')}: rolled back, the pod stays SandboxLost, and the retry succeeds`, async (t) => {
    t.teardown(() => armFailpoints([]));
    const n = await fakeNode(t);
    const { fake, pods } = n;
    const r0 = await runningPod(n);
    const old = r0.sandbox!;
    armFailpoints([`recreate/${step.replaceAll(' ', '-')}`]);
    killHolder(n, r0);
    await waitFor(async () => n.reasons().includes('FailedCreatePodSandBox'), 'FailedCreatePodSandBox');

    const r = pods.get('web');
    t.is(r.phase, 'SandboxLost');
    t.regex(r.message ?? '', new RegExp(`^recreate sandbox: ${step}: failpoint recreate/${step.replaceAll(' ', '-')} fired`));
    t.is(r.building, null, 'the half-built sandbox is forgotten');
    t.deepEqual(r.sandbox, old, 'the record names the old sandbox until a new one is wired');
    t.deepEqual(n.fake.running('pause'), [], 'the new holder was stopped');
    // The app is stopped once the new sandbox is wired; failed before, it still runs, in the old namespace.
    t.deepEqual(n.fake.running('sleep'), k < STEPS.indexOf('stop apps') ? [r0.containers[0]!.pid] : []);
    // Its name removed and its apps stopped, the old namespace has nothing left in it: the kernel frees its veth.
    const removedOld = k >= STEPS.indexOf('stop apps');
    await waitFor(async () => fake.links.has(old.hostVeth) !== removedOld, 'the old veth removal under way');
    t.deepEqual([...fake.links.keys()], removedOld ? [] : [old.hostVeth], 'no new veth is left');
    if (!removedOld) t.is(fake.links.get(old.hostVeth), 'minipod0', 'the old apps, still running, are still on the bridge');
    t.is(fake.pins.size, 0, 'no namespace stays pinned');

    armFailpoints([]);
    await waitFor(async () => n.reasons().includes('SandboxRecreated'), 'the retry to recreate the sandbox');
    const sb = pods.get('web').sandbox!;
    t.is(pods.get('web').phase, 'Running');
    t.not(sb.netns, old.netns);
    t.is(sb.attempt, 1, 'a rolled-back attempt does not count');
    t.deepEqual(n.fake.running('pause'), [sb.pid]);
    t.deepEqual(n.fake.running('sleep'), [pods.get('web').containers[0]!.pid]);
    t.deepEqual([...fake.links.keys()], [sb.hostVeth]);
    t.is(fake.pins.size, 0);
  });
}
