// Live restore on the fake host: a daemon leaves its pods running (detachAll), the next one on
// the same state dir re-adopts them as they run (pid and start time checked, pidwatch watching),
// and deals with what changed meanwhile: a dead holder, a dead app, a reused pid, a create cut
// short, strays in a sandbox. No root: both daemons run over one lib/os/fake.ts.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { armFailpoints } from '../../../lib/failpoints.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { fakeNode, showBridgeLinks, sleepPod, type FakeNode } from '../../helpers/fake-node.js';
import { waitFor } from '../../helpers/wait.js';

/** A node with pods running, left by its daemon; the records as they were. */
async function leftRunning(t: ExecutionContext, ...specs: [string, Record<string, unknown>?][]): Promise<{ first: FakeNode; records: PodRecord[] }> {
  const first = await fakeNode(t);
  showBridgeLinks(first.fake);
  const records: PodRecord[] = [];
  for (const [name, extra] of specs) records.push(structuredClone(await first.pods.create(sleepPod(name, extra))));
  await first.pods.detachAll(); // settled: its last writes are on disk before anything changes
  first.fake.daemonGone();
  return { first, records };
}

/** The next daemon, on the same host and state dir. */
const restart = (t: ExecutionContext, first: FakeNode) => fakeNode(t, { fake: first.fake, stateDir: first.stateDir });

/** Journal lines that signal pid (alone or as a group leader). */
const signalled = (lines: string[], pid: number) => lines.filter((l) => l.startsWith(`kill ${pid} `) || l.startsWith(`kill -${pid} `));
const message = (n: FakeNode, pod: string, reason: string) => n.events.list(pod).find((e) => e.reason === reason)?.message ?? '';

test.serial('restore: running pods are re-adopted as they run, watched through pidwatch, nothing restarted or signalled', async (t) => {
  const { first, records } = await leftRunning(t, ['web'], ['db']);
  const { fake } = first;
  const mark = fake.journal.length;
  const next = await restart(t, first);
  await new Promise((resolve) => setImmediate(resolve)); // the watches asked in a turn go out together, the next
  const steps = fake.journal.slice(mark);

  for (const r0 of records) {
    const r = next.pods.get(r0.name);
    t.is(r.phase, 'Running', r0.name);
    t.deepEqual(r.sandbox, r0.sandbox);
    t.like(r.containers[0], { pid: r0.containers[0]!.pid, restartCount: 0, state: 'Running' });
    for (const p of [r0.sandbox!, r0.containers[0]!]) t.true(steps.includes(`pidwatch watch ${p.pid} ${p.startTime}`), `${r0.name}: pidwatch watches ${p.pid}`);
    t.is(message(next, r0.name, 'Restored'), `daemon restarted: re-adopted pause ${r0.sandbox!.pid}, app ${r0.containers[0]!.pid} (pid and start time checked)`);
  }
  t.deepEqual(steps.filter((l) => l.startsWith('spawn')), ['spawn pidwatch'], 'no holder or app is started');
  t.deepEqual(steps.filter((l) => l.startsWith('kill')), [], 'nothing is signalled');
  t.deepEqual(steps.filter((l) => l.startsWith('ip ')), [], 'no network work');

  // Watched: an adopted app's exit is heard (and restarted per policy), an adopted holder's death
  // rebuilds the sandbox.
  const [web, db] = records as [PodRecord, PodRecord];
  fake.exit(fake.procs.get(web.containers[0]!.pid!)!, 1, null);
  await waitFor(async () => next.pods.get('web').containers[0]!.restartCount === 1 && next.pods.get('web').containers[0]!.state === 'Running', 'web\'s app restarted');
  t.like(next.pods.get('web').containers[0]!.lastState, { exitCode: 1, reason: 'Error' });
  fake.exit(fake.procs.get(db.sandbox!.pid)!, null, 'SIGKILL');
  await waitFor(async () => next.reasons().includes('SandboxRecreated'), 'db\'s sandbox recreated');
  t.not(next.pods.get('db').sandbox!.netns, db.sandbox!.netns);
});

test.serial('restore: a rebuild waits for the node\'s network; the pods are adopted meanwhile', async (t) => {
  const { first, records } = await leftRunning(t, ['web'], ['db']);
  const { fake } = first;
  const [web, db] = records as [PodRecord, PodRecord];
  fake.exit(fake.procs.get(db.sandbox!.pid)!, null, 'SIGKILL'); // while no daemon ran
  const mark = fake.journal.length;
  let made!: () => void;
  const network = new Promise<void>((resolve) => (made = resolve));
  const booting = fakeNode(t, { fake, stateDir: first.stateDir, network });
  await waitFor(async () => fake.journal.slice(mark).includes(`pidwatch watch ${web.sandbox!.pid} ${web.sandbox!.startTime}`), 'web adopted');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.deepEqual(fake.journal.slice(mark).filter((l) => l.startsWith('ip ') || l.startsWith('spawn pause')), [], 'no sandbox built before the network is made');
  made();
  const next = await booting;
  await waitFor(async () => next.reasons().includes('SandboxRecreated'), 'db rebuilt once the network is made');
  t.is(next.pods.get('web').sandbox!.pid, web.sandbox!.pid);
});

test.serial('restore: a holder that died while no daemon ran means a new sandbox', async (t) => {
  const { first, records } = await leftRunning(t, ['web']);
  const { fake } = first;
  const [r0] = records as [PodRecord];
  fake.exit(fake.procs.get(r0.sandbox!.pid)!, null, 'SIGKILL');
  const next = await restart(t, first);
  await waitFor(async () => next.reasons().includes('SandboxRecreated'), 'SandboxRecreated');

  const r = next.pods.get('web');
  t.is(r.phase, 'Running');
  t.regex(r.lastRecovery!.cause, new RegExp(`^pause ${r0.sandbox!.pid} died while the daemon was down`));
  t.like(r, { ip: r0.ip, mac: r0.mac, sandbox: { attempt: 1 } });
  t.not(r.sandbox!.netns, r0.sandbox!.netns);
  t.like(r.containers[0], { state: 'Running', restartCount: 1 });
  t.deepEqual(next.fake.running('pause'), [r.sandbox!.pid]);
  t.deepEqual(next.fake.running('sleep'), [r.containers[0]!.pid], 'the adopted app was stopped and started in the new sandbox');
  t.deepEqual([...fake.links.keys()], [r.sandbox!.hostVeth]);
});

test.serial('restore: an app that died while no daemon ran is ContainerDied with the code its shim kept, then restarted per restartPolicy', async (t) => {
  const { first, records } = await leftRunning(t, ['always'], ['never', { restartPolicy: 'Never' }], ['killed', { restartPolicy: 'OnFailure' }], ['old']);
  const { fake } = first;
  const [always0, never0, killed0, old0] = records as [PodRecord, PodRecord, PodRecord, PodRecord];
  // An older daemon's record names no shim: how its app ended is unknown.
  const file = path.join(first.stateDir, 'pods', 'old.json');
  await writeFile(file, JSON.stringify({ ...old0, containers: [{ ...old0.containers[0], containerID: null }] }));
  for (const r0 of [always0, never0, old0]) fake.exit(fake.procs.get(r0.containers[0]!.pid!)!, 0, null);
  fake.exit(fake.procs.get(killed0.containers[0]!.pid!)!, null, 'SIGKILL');
  t.deepEqual((await readdir(path.join(first.stateDir, 'nsenter'))).sort(), records.map((r) => r.containers[0]!.containerID!.slice('nsenter://'.length)).sort(), 'each shim kept its app\'s status');
  const next = await restart(t, first);
  await waitFor(async () => ['always', 'killed', 'old'].every((n) => next.pods.get(n).containers[0]!.state === 'Running'), 'the apps restarted');

  const always = next.pods.get('always').containers[0]!;
  t.like(always, { restartCount: 1, lastState: { reason: 'Completed', exitCode: 0 } });
  t.not(always.pid, always0.containers[0]!.pid);
  t.is(message(next, 'always', 'ContainerDied'), 'exited while the daemon was down (with code 0, kept by its shim)');
  // Nothing of it runs or will: the new daemon stops its sandbox and releases its IP, as kubelet kills such a pod.
  const never = await waitFor(async () => next.pods.get('never').phase === 'Stopped' && next.pods.get('never'), 'the ended pod stopped');
  t.like(never, { sandbox: null, ip: '' });
  t.like(never.containers[0], { state: 'Terminated', reason: 'Completed', exitCode: 0, pid: null, restartCount: 0 });
  t.true(next.reasons().includes('PodCompleted'));
  t.like(next.pods.get('killed').containers[0], { restartCount: 1, lastState: { reason: 'Error', exitCode: 137, signal: 'SIGKILL' } });
  t.is(message(next, 'killed', 'ContainerDied'), 'exited while the daemon was down (with SIGKILL, kept by its shim)');
  t.like(next.pods.get('old').containers[0], { restartCount: 1, lastState: { reason: 'Unknown', exitCode: null } });
  t.is(message(next, 'old', 'ContainerDied'), 'exited while the daemon was down (status unknown)');
  t.deepEqual(next.fake.running('sleep').sort(), ['always', 'killed', 'old'].map((n) => next.pods.get(n).containers[0]!.pid).sort());
  const running = ['always', 'killed', 'old'].map((n) => next.pods.get(n).containers[0]!.containerID!.slice('nsenter://'.length));
  t.deepEqual((await readdir(path.join(first.stateDir, 'nsenter'))).sort(), running.sort(), 'the statuses read are removed; the restarted apps have their own');
});

test.serial('restore: a recorded pid that another process has now is never signalled', async (t) => {
  const { first, records } = await leftRunning(t, ['web'], ['db']);
  const { fake } = first;
  const [web, db] = records as [PodRecord, PodRecord];
  // While no daemon ran, web's app and db's holder exited and their pids went to strangers
  // (other start times, the host's namespaces).
  const reuse = (pid: number) => {
    fake.exit(fake.procs.get(pid)!, 0, null);
    return fake.add({ pid, argv: ['/usr/bin/stranger'] });
  };
  const strangers = [reuse(web.containers[0]!.pid!), reuse(db.sandbox!.pid)];
  const mark = fake.journal.length;
  const next = await restart(t, first);
  await waitFor(async () => next.reasons().includes('SandboxRecreated') && next.pods.get('web').containers[0]!.state === 'Running', 'db rebuilt, web\'s app restarted');

  const steps = fake.journal.slice(mark);
  for (const s of strangers) {
    t.deepEqual(signalled(steps, s.pid), [], `pid ${s.pid} is not ours any more`);
    t.is(fake.procs.get(s.pid), s, 'and it still runs');
    t.false(steps.includes(`pidwatch watch ${s.pid} ${s.startTime}`));
  }
  t.like(next.pods.get('web').containers[0], { restartCount: 1, lastState: { reason: 'Completed' } });
  t.not(next.pods.get('web').containers[0]!.pid, web.containers[0]!.pid);
  t.not(next.pods.get('db').sandbox!.pid, db.sandbox!.pid);
  t.regex(next.pods.get('db').lastRecovery!.cause, /died while the daemon was down/);
});

test.serial('restore: a sandbox recovery that was failing when the daemon left is finished by the next one', async (t) => {
  t.teardown(() => armFailpoints([]));
  const first = await fakeNode(t);
  const { fake } = first;
  showBridgeLinks(fake);
  const r0 = structuredClone(await first.pods.create(sleepPod()));
  armFailpoints(['recreate/create-veth']);
  fake.exit(fake.procs.get(r0.sandbox!.pid)!, null, 'SIGKILL');
  await waitFor(async () => first.reasons().includes('FailedCreatePodSandBox'), 'the first recovery to fail');
  await first.pods.detachAll(); // its retry is cancelled: the next daemon's to do
  armFailpoints([]);

  const next = await restart(t, first);
  await waitFor(async () => next.reasons().includes('SandboxRecreated'), 'SandboxRecreated');
  const r = next.pods.get('web');
  t.like(r, { phase: 'Running', building: null, sandbox: { attempt: 1 } });
  t.not(r.sandbox!.netns, r0.sandbox!.netns);
  t.deepEqual(fake.running('pause'), [r.sandbox!.pid]);
  t.deepEqual(fake.running('sleep'), [r.containers[0]!.pid]);
  t.deepEqual([...fake.links.keys()], [r.sandbox!.hostVeth]);
});

test.serial('restore: a create cut short by the daemon\'s end (Pending) is cleared: holder, veth, lease, record', async (t) => {
  const first = await fakeNode(t);
  const { fake } = first;
  showBridgeLinks(fake);
  // The daemon "dies" while the holder is binding the pod's `ip netns` name: the sandbox is wired,
  // and the Pending record, written meanwhile, names its holder and veth. It is never answered.
  const held = new Promise<void>(() => {});
  let asked = false;
  fake.pauseHolds = (line) => (line.startsWith('bind ') ? ((asked = true), held) : undefined);
  const creating = first.pods.create(sleepPod()).catch((err: Error) => err);
  const file = path.join(first.stateDir, 'pods', 'web.json');
  const pending = await waitFor(async () => {
    const r = asked ? (JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) as PodRecord | null) : null;
    return r?.phase === 'Pending' ? r : undefined;
  }, 'the holder asked to bind the name, the Pending record written');
  const { pid, hostVeth } = pending.building ?? pending.sandbox!;
  t.is(pid, first.pods.get('web').sandbox!.pid, 'the record names the holder');
  const ip = first.pods.get('web').ip;
  await first.pods.detachAll(0); // the create holds the pod's lock: nothing more is written
  fake.pauseHolds = () => undefined;

  const next = await restart(t, first);
  await waitFor(async () => next.reasons().includes('CreateInterrupted') && !next.pods.list().length, 'the unfinished pod removed');
  t.regex(message(next, 'web', 'CreateInterrupted'), /^daemon restarted: 1 process\(es\) of the last daemon's sandbox stopped; the unfinished pod is removed/);
  t.false(fake.procs.has(pid), 'its holder was stopped');
  t.true(fake.journal.includes(`ip link del ${hostVeth}`));
  t.deepEqual(await next.pods.gc(false), [], 'no lease, veth, log, cgroup, name or holder is left');
  t.deepEqual(next.fake.running('pause'), []);
  t.deepEqual(next.fake.running('sleep'), []);

  // The first daemon stays "dead" (its create waits forever); the same pod can be created again,
  // with the same address.
  void creating;
  t.is((await next.pods.create(sleepPod())).ip, ip);
});

test.serial('restore: a create cut short before its record was written leaves only orphans the next daemon removes', async (t) => {
  const first = await fakeNode(t);
  const { fake } = first;
  showBridgeLinks(fake);
  // The daemon "dies" while the holder configures eth0: the holder, the lease and the veth exist,
  // the record is not written yet (it follows the wiring).
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let asked = false;
  fake.pauseHolds = (line) => (/^web /.test(line) ? ((asked = true), held) : undefined);
  const creating = first.pods.create(sleepPod()).catch((err: Error) => err);
  await waitFor(async () => asked, 'the create to ask the holder to configure eth0');
  const { pid, hostVeth } = first.pods.get('web').building!;
  t.true(fake.links.has(hostVeth));
  await t.throwsAsync(readFile(path.join(first.stateDir, 'pods', 'web.json')), { code: 'ENOENT' });
  await first.pods.detachAll(0);
  fake.pauseHolds = () => undefined;

  const next = await restart(t, first);
  t.deepEqual(next.pods.list(), [], 'no pod: it never had a record');
  t.false(fake.procs.has(pid), 'its holder, in the pool\'s register, was stopped');
  t.false(fake.links.has(hostVeth), 'its veth went with the holder\'s namespace');
  t.deepEqual(await next.pods.gc(false), [], 'no lease, veth, log, cgroup, name or holder is left');
  // The first daemon, "dead", is let go: its create fails on the holder it no longer has, and its
  // rollback finds nothing to undo.
  release();
  t.true((await creating) instanceof Error);
  t.deepEqual(await next.pods.gc(false), []);
  t.is((await next.pods.create(sleepPod())).phase, 'Running');
});

test.serial('restore: strays in a verified sandbox are stopped, the app\'s own children kept', async (t) => {
  const { first, records } = await leftRunning(t, ['web']);
  const { fake } = first;
  const [r0] = records as [PodRecord];
  const app = fake.procs.get(r0.containers[0]!.pid!)!;
  const ns = { ...app.ns };
  const worker = fake.add({ argv: ['/usr/bin/worker'], ppid: app.pid, pgid: app.pgid, ns }); // in the app's session
  const daemonized = fake.add({ argv: ['/usr/sbin/sshd'], ppid: app.pid, ns }); // its own session, the app's child
  const grandchild = fake.add({ argv: ['/usr/bin/sh'], ppid: daemonized.pid, ns });
  const stray = fake.add({ argv: ['/bin/sh'], ns }); // an old `minipod exec`, the last daemon's child
  const mark = fake.journal.length;
  const next = await restart(t, first);
  const steps = fake.journal.slice(mark);

  t.deepEqual(signalled(steps, stray.pid), [`kill ${stray.pid} SIGKILL`]);
  await waitFor(async () => !fake.procs.has(stray.pid), 'the stray gone');
  for (const kept of [app, worker, daemonized, grandchild]) {
    t.deepEqual(signalled(steps, kept.pid), [], `${kept.argv[0]} (${kept.pid}) is the app's`);
    t.true(fake.procs.has(kept.pid));
  }
  t.is(message(next, 'web', 'Restored'), `daemon restarted: re-adopted pause ${r0.sandbox!.pid}, app ${app.pid} (pid and start time checked)`);
  t.is(message(next, 'web', 'StraysStopped'), "1 process(es) in the sandbox that were neither the holder's nor an app's (an old `minipod exec`?) stopped");
  t.is(next.pods.get('web').containers[0]!.restartCount, 0);
});
