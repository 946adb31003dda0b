// createPod on the fake host: the order of kernel steps, the ip lines sent, and the undo order
// when a step fails. No root: the kernel is lib/os/fake.ts.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { MinipodError } from '../../../lib/errors.js';
import { armFailpoints } from '../../../lib/failpoints.js';
import type { FakeHost } from '../../../lib/os/fake.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { DEFAULT_PATH } from '../../../lib/manifest/command.js';
import { assertInOrder, CGROUPS, fakeNode, journalLeases, journalSince, leftovers, sleepPod, type FakeNode } from '../../helpers/fake-node.js';

test.serial('create: holder, veth, eth0 (its MAC too), then the cgroup and the app — in that order, with the pod\'s IP and MAC', async (t) => {
  const { fake, pods } = await fakeNode(t);
  const r = await pods.create(sleepPod());
  t.is(r.phase, 'Running');
  t.is(r.ip, '10.88.0.2');
  const steps = fake.lines('spawn', 'ip ', 'cgroup', 'pause');
  const holder = r.sandbox!.pid;
  const own = steps.filter((l) => !l.startsWith('spawn ip ') && !l.startsWith('ip link set lo') && !l.startsWith('ip link add minipod0') && !l.startsWith('ip addr') && !l.startsWith('ip link set minipod0'));
  t.deepEqual(own.slice(0, 5), ['spawn pause -n', `ip link add ${r.sandbox!.hostVeth} master minipod0 up type veth peer name eth0 netns ${holder}`, `ip link set ${r.sandbox!.hostVeth} type bridge_slave hairpin on`, `pause ${holder} configure web 10.88.0.2/16 10.88.0.1 0a:58:0a:58:00:02`, `cgroup create pod-${r.uid}`]);
  const app = fake.procs.get(r.containers[0]!.pid!)!;
  t.deepEqual(app.argv, ['/usr/bin/sleep', '1000']);
  t.is(app.ns.net, r.sandbox!.netns, 'the app is in the holder\'s network namespace');
  t.is(app.cgroup, `/fake/cgroup/minipod/pod-${r.uid}`);
});

/** The pod uid and host veth name a create since index `from` gave the kernel. */
const madeSince = (fake: FakeHost, from: number) => ({
  uid: /^cgroup (?:create|remove) pod-(\S+)$/.exec(journalSince(fake, from, 'cgroup create', 'cgroup remove')[0] ?? '')?.[1],
  veth: /^ip link add (\S+) /.exec(journalSince(fake, from, 'ip link add')[0] ?? '')?.[1],
});

/** The pid of the first process spawned since index `from` whose argv runs `program`. */
const spawnedPid = (fake: FakeHost, from: number, program: string) => fake.spawned.slice(from).find((s) => s.argv.includes(program) && s.argv[0] !== fake.tools.shim)?.pid;

test.serial('create: the exact kernel steps, the app\'s argv through cgexec and nsenter, its env and cwd, the lease, the events', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods, stateDir } = node;
  journalLeases(node);
  const from = fake.journal.length;
  const names = path.join(stateDir, 'run-netns');
  const r = await pods.create(sleepPod('web', { containers: [{ name: 'app', command: ['sleep', '1000'], env: [{ name: 'GREETING', value: 'hi' }], workingDir: '/tmp' }] }));
  const holder = fake.procs.get(r.sandbox!.pid)!;
  const app = fake.procs.get(r.containers[0]!.pid!)!;
  const veth = r.sandbox!.hostVeth;
  t.deepEqual(journalSince(fake, from), [
    'lease acquire 10.88.0.2',
    'spawn pause -n',
    // The peer is born with a random MAC: the holder gives eth0 the pod's (the lease is taken meanwhile).
    `ip link add ${veth} master minipod0 up type veth peer name eth0 netns ${holder.pid}`,
    `ip link set ${veth} type bridge_slave hairpin on`,
    `pause ${holder.pid} configure web 10.88.0.2/16 10.88.0.1 0a:58:0a:58:00:02`,
    // What the apps need and the network does not, once it is wired.
    `cgroup create pod-${r.uid}`,
    // The first name on the node makes its directory a shared mount point, as `ip netns add` does.
    `run mount --bind ${names} ${names}`,
    `run mount --make-shared ${names}`,
    `pause ${holder.pid} bind ${names}/web`, // by the holder itself: no mount process
    'spawn shim',
    'spawn sleep 1000',
  ]);
  t.deepEqual(await readdir(names), ['web'], 'ip netns list shows the pod');
  t.regex(fake.mountinfo, new RegExp(`^\\d+ 29 0:4 ${r.sandbox!.netns.replace(/[[\]]/g, '\\$&')} ${names}/web `, 'm'), 'the name is the sandbox\'s namespace');
  t.deepEqual(JSON.parse(await readFile(path.join(stateDir, 'netns', 'web'), 'utf8')), { uid: r.uid }, 'registered as minipod\'s, for gc');
  t.regex(veth, /^mp[0-9a-z]{10}$/, 'a host veth name fits IFNAMSIZ');
  t.is(r.mac, '0a:58:0a:58:00:02', 'the MAC is derived from the leased IP');
  t.is(await readFile(path.join(stateDir, 'leases', '10.88.0.2'), 'utf8'), `${r.uid}\n`);
  t.deepEqual(fake.spawned.at(-1), {
    argv: [fake.tools.cgexec, `${CGROUPS}/pod-${r.uid}`, fake.tools.nsenter, `--target=${holder.pid}`, '--net', '--uts', '--ipc', '--', '/usr/bin/sleep', '1000'],
    env: { PATH: DEFAULT_PATH, HOSTNAME: 'web', GREETING: 'hi' },
    cwd: '/tmp',
    pid: app.pid,
  });
  for (const kind of ['net', 'uts', 'ipc'] as const) t.is(app.ns[kind], holder.ns[kind], `the app shares the holder's ${kind} namespace`);
  t.is(app.ns.mnt, fake.self.ns.mnt, 'and the host\'s mount namespace');
  t.not(holder.ns.net, fake.self.ns.net);
  t.is(holder.cgroup, `${CGROUPS}/pod-${r.uid}`, 'the holder is moved into the pod\'s cgroup');
  // Identity is pid + start time: the recorded ones must be what /proc says (checked before any signal).
  t.is(r.sandbox!.startTime, holder.startTime);
  t.is(r.containers[0]!.startTime, app.startTime);
  t.is(r.containers[0]!.netns, r.sandbox!.netns);
  t.deepEqual(node.reasons(), ['SandboxCreated', 'NetworkReady', 'ContainerStarted']);
  const onDisk = JSON.parse(await readFile(path.join(stateDir, 'pods', 'web.json'), 'utf8')) as PodRecord;
  t.is(onDisk.phase, 'Running');
  t.is(onDisk.building, null);
  t.deepEqual(await readdir(path.join(stateDir, 'holders')), [], 'the record owns the holder: it left the register');
  t.is(fake.pins.size, 0);
  const second = fake.journal.length;
  const r2 = await pods.create(sleepPod('db'));
  t.deepEqual(journalSince(fake, second, 'run'), [], 'the directory is shared once (and the holder mounts its namespace itself)');
  t.deepEqual(journalSince(fake, second, 'pause'), [`pause ${r2.sandbox!.pid} configure db 10.88.0.3/16 10.88.0.1 0a:58:0a:58:00:03`, `pause ${r2.sandbox!.pid} bind ${names}/db`]);
});

test.serial('create: two containers start in manifest order, each in the pod\'s namespaces', async (t) => {
  const { fake, pods } = await fakeNode(t);
  const r = await pods.create(sleepPod('two', { containers: [{ name: 'a', command: ['sleep', '1'] }, { name: 'b', command: ['sh', '-c', 'sleep 2'] }] }));
  t.deepEqual(fake.lines('spawn sleep', 'spawn sh '), ['spawn sleep 1', 'spawn sh -c sleep 2']);
  for (const c of r.containers) t.is(fake.procs.get(c.pid!)!.ns.net, r.sandbox!.netns, c.name);
});

// The undos create registers, in the order they run: the apps are stopped first, while their
// sandbox is still whole; the `ip netns` name goes before the veth (it would keep the namespace
// alive with no process in it); then the veth is deleted while the holder still keeps its
// namespace (deleting the host end takes eth0 with it); then the holder; then the cgroup, which
// kills whatever the pod started wherever it went; the IP last, so it is never handed out while
// anything of the pod could still use it. The cgroup's and the lease's undos are registered before
// anything is made, so this order holds whichever of the steps side by side finished first.
//
// The steps in the order they end here. Side by side: the lease and the holder, then its veth and
// eth0 (wired); after that the cgroup, the record, the log directory and the name's reservation,
// then its bind. A failure lets the steps under way finish (their undos registered), starts none.
const createSteps = ['allocate-IP', 'start-pause-holder', 'create-veth', 'configure-eth0', 'create-cgroup', 'persist-record', 'create-log-directory', 'reserve-netns-name', 'name-network-namespace', 'start-containers'];
/** Failing there, the name may or may not have been bound by then: its bind runs beside them. */
const BESIDE_THE_NAME = ['create-cgroup', 'persist-record', 'create-log-directory'];
const NAME_UNMOUNT = /^run umount --lazy \/tmp\/.*\/run-netns\/web$/;
/**
 * Failing there, the veth may or may not have been made by then: "create veth" waits for the
 * holder's start only, beside the lease's write (a real file, slower than the fake holder on a busy
 * machine: a CI run saw it made). Either way the undo deletes what exists.
 */
const BESIDE_THE_VETH = ['allocate-IP'];

function undoLines(step: string, ids: { app?: number; holder?: number; veth?: string; uid?: string }): (string | RegExp)[] {
  const reached = (s: string) => createSteps.indexOf(step) >= createSteps.indexOf(s);
  return [
    ...(reached('start-containers') ? [`kill -${ids.app} SIGTERM`] : []),
    ...(reached('name-network-namespace') ? [NAME_UNMOUNT] : []),
    ...(reached('create-veth') ? [`ip link del ${ids.veth}`] : []),
    `kill -${ids.holder} SIGTERM`, // started beside the lease: there when either fails
    `cgroup remove pod-${ids.uid}`,
    'lease release 10.88.0.2',
  ];
}

/**
 * Create `web` on a new node, after `arrange` sets up how it fails; returns the error and what
 * the create gave the kernel (uid, veth, holder and app pids) and its undo lines, in the order run.
 */
async function failCreate(t: ExecutionContext, arrange: (fake: FakeHost) => void) {
  const node = await fakeNode(t);
  const { fake, pods } = node;
  journalLeases(node);
  t.teardown(() => armFailpoints([]));
  arrange(fake);
  const [from, spawns] = [fake.journal.length, fake.spawned.length];
  const err = (await t.throwsAsync(pods.create(sleepPod()))) as MinipodError;
  armFailpoints([]);
  fake.ipFails = () => undefined;
  const undone = journalSince(fake, from, 'kill', 'ip link del', 'cgroup remove', 'lease release', 'run umount').filter((l) => !/SIG(CONT|KILL)/.test(l));
  return { node, err, from, undone, ...madeSince(fake, from), holder: spawnedPid(fake, spawns, fake.tools.pause), app: spawnedPid(fake, spawns, '/usr/bin/sleep') };
}

async function assertNothingLeft(t: ExecutionContext, node: FakeNode): Promise<void> {
  t.deepEqual(await leftovers(node), []);
  t.deepEqual(node.pods.list(), []);
}

for (const step of createSteps) {
  test.serial(`create fails after "${step}": undone in reverse, nothing left, and the same pod can be created again`, async (t) => {
    const { node, err, undone, ...ids } = await failCreate(t, () => armFailpoints([`create/${step}`]));
    t.is(err.message, `failed to create pod web: ${step.replaceAll('-', ' ')}: failpoint create/${step} fired`);
    t.deepEqual(err.cleanupErrors, []);
    const expected = undoLines(step, ids);
    let lines = BESIDE_THE_NAME.includes(step) && NAME_UNMOUNT.test(undone[0] ?? '') ? undone.slice(1) : undone;
    if (BESIDE_THE_VETH.includes(step) && ids.veth && lines[0] === `ip link del ${ids.veth}`) lines = lines.slice(1);
    t.is(lines.length, expected.length, undone.join('\n'));
    assertInOrder(t, lines, expected);
    await assertNothingLeft(t, node);
    const again = await node.pods.create(sleepPod());
    t.is(again.phase, 'Running');
    t.is(again.ip, '10.88.0.2', 'the address was released, in memory too');
  });
}

test.serial('create: a failing `ip link add` is undone like any step: the veth is deleted anyway (it may exist), then the holder, cgroup, lease', async (t) => {
  const { node, err, undone, uid, veth, holder } = await failCreate(t, (fake) => (fake.ipFails = (line) => (line.startsWith('link add ') ? 'RTNETLINK answers: File exists' : undefined)));
  t.regex(err.message, /^failed to create pod web: create veth: .*RTNETLINK answers: File exists/);
  t.deepEqual(undone, [`ip link del ${veth}`, `kill -${holder} SIGTERM`, `cgroup remove pod-${uid}`, 'lease release 10.88.0.2']);
  t.deepEqual(node.fake.lines('spawn sleep'), [], 'no app was started');
  await assertNothingLeft(t, node);
});

test.serial('create: a holder that dies before "ready" fails "configure eth0"; its veth, cgroup and lease are undone, the dead holder is not signalled', async (t) => {
  const { node, err, undone, uid, veth } = await failCreate(t, (fake) => {
    const pause = fake.programs.get('pause')!;
    // Dies on reading its configuration, before it can answer "ready".
    fake.programs.set('pause', (p, io, host) => {
      pause(p, io, host);
      if (p.argv.includes('-n')) io.stdin?.prependOnceListener('data', () => host.exit(p, null, 'SIGSEGV'));
    });
  });
  t.regex(err.message, /^failed to create pod web: configure eth0: pause holder \d+/);
  t.deepEqual(undone, [`ip link del ${veth}`, `cgroup remove pod-${uid}`, 'lease release 10.88.0.2']);
  await assertNothingLeft(t, node);
});

test.serial('create: a holder that dies before saying "ns" fails "start pause holder"; no veth is made, cgroup and lease are undone', async (t) => {
  const { node, err, undone, uid, veth } = await failCreate(t, (fake) => fake.programs.set('pause', (p, _io, host) => void setImmediate(() => host.exit(p, 127, null))));
  t.regex(err.message, /^failed to create pod web: start pause holder: pause holder \d+/);
  t.is(veth, undefined);
  t.deepEqual(undone, [`cgroup remove pod-${uid}`, 'lease release 10.88.0.2']);
  await assertNothingLeft(t, node);
});

test.serial('create: a command not found changes nothing at all: no kernel call, no lease, no record, no log directory', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods } = node;
  journalLeases(node);
  const from = fake.journal.length;
  const err = await t.throwsAsync(pods.create(sleepPod('web', { containers: [{ name: 'ok', command: ['sleep', '1'] }, { name: 'bad', command: ['no-such-program'] }] })));
  t.is((err as MinipodError).code, 'INVALID_ARGUMENT');
  t.is(err!.message, `spec.containers[1].command: executable "no-such-program" not found (PATH=${DEFAULT_PATH}, workingDir=/)`);
  t.deepEqual(fake.journal.slice(from), []);
  await assertNothingLeft(t, node);
  const missingDir = await t.throwsAsync(pods.create(sleepPod('web', { containers: [{ name: 'a', command: ['sleep', '1'], workingDir: '/no/such/dir' }] })));
  t.is(missingDir!.message, 'spec.containers[0].workingDir: directory "/no/such/dir" does not exist (apps run from the host\'s filesystem)');
  t.deepEqual(fake.journal.slice(from), []);
  await assertNothingLeft(t, node);
});

test.serial('create whose rollback fails: the original error survives, the pod is kept Terminating, and rm -f finishes what the rollback could not', async (t) => {
  const { node, err, from, uid, veth } = await failCreate(t, (fake) => {
    armFailpoints(['create/configure-eth0']);
    fake.ipFails = (line) => (line.startsWith('link del ') ? 'RTNETLINK answers: Operation not permitted' : undefined);
  });
  const { fake, pods } = node;
  t.is(err.message, 'failed to create pod web: configure eth0: failpoint create/configure-eth0 fired');
  t.is(err.cleanupErrors.length, 1);
  t.regex(err.cleanupErrors[0]!.message, new RegExp(`^undo veth ${veth}: .*Operation not permitted`));
  t.like(pods.get('web'), { phase: 'Terminating' });
  // The other undos ran: the lease is free again, and a new pod may take the address meanwhile.
  t.deepEqual(journalSince(fake, from, 'cgroup remove', 'lease release'), [`cgroup remove pod-${uid}`, 'lease release 10.88.0.2']);
  const other = await pods.create(sleepPod('other'));
  t.is(other.ip, '10.88.0.2');
  const rm = fake.journal.length;
  await pods.remove('web', true);
  t.deepEqual(journalSince(fake, rm, 'ip link del'), [`ip link del ${veth}`], 'rm -f deletes the veth the rollback could not');
  t.deepEqual(journalSince(fake, rm, 'lease release'), [], 'and never releases an address it no longer holds');
  const app = fake.procs.get(other.containers[0]!.pid!)!;
  const shimFiles = `shim files ${other.containers[0]!.containerID!.replace('nsenter://', '')}`;
  t.deepEqual(await leftovers(node), [`process ${other.sandbox!.pid} ${fake.tools.pause} -n`, `process ${app.ppid} shim`, `process ${app.pid} /usr/bin/sleep 1000`, `cgroup ${CGROUPS}/pod-${other.uid}`, 'lease 10.88.0.2', 'record other.json', 'logs other', shimFiles, 'netns name other', 'netns registry other', `nsfs mount ${path.join(node.stateDir, 'run-netns', 'other')}`], 'only the other pod remains, its lease intact');
});
