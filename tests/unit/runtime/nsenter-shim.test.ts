// A container without an image under rootfs/shim, on the fake host: the shim's child is the app
// (the pid recorded, in a group of its own), its status waits in STATE/nsenter/ID until the daemon
// has heard it, a signal is exit 128+N; a shim killed by hand leaves its app running and watched;
// gc finds the shim files no record names and the console directory of a killed daemon's exec -t.
import { access, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { fakeNode, leftovers, sleepPod } from '../../helpers/fake-node.js';
import { waitFor } from '../../helpers/wait.js';

const exists = (file: string) => access(file).then(() => true, () => false);

test.serial('the shim\'s child is the app: its pid recorded, a group of its own; its exit (SIGKILL: 137) heard through the shim, whose files then go', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods, stateDir } = node;
  const r = await pods.create(sleepPod('web', { restartPolicy: 'Never' }));
  const c = r.containers[0]!;
  const id = c.containerID!.slice('nsenter://'.length);
  t.regex(c.containerID!, /^nsenter:\/\/web-app-[A-Za-z0-9]{8}$/);
  const app = fake.procs.get(c.pid!)!;
  t.is(app.argv[0], '/usr/bin/sleep', 'the recorded pid is the app\'s');
  t.is(app.pgid, app.pid, 'it leads its own group: a stop signals the group');
  const shim = fake.procs.get(app.ppid)!;
  t.deepEqual(shim.argv.slice(0, 5), [fake.tools.shim, '-s', '-p', '-l', path.join(stateDir, 'nsenter', id, 'exit')]);
  t.is(shim.ppid, fake.self.pid, 'the shim is the daemon\'s child');
  t.deepEqual(await readdir(path.join(stateDir, 'nsenter')), [id]);

  fake.kill(app.pid, 'SIGKILL');
  const ended = await waitFor(async () => pods.get('web').containers[0]!.state === 'Terminated' && pods.get('web').containers[0]!, 'the app to end');
  t.like(ended, { reason: 'Error', exitCode: 137, signal: 'SIGKILL', restartCount: 0 });
  t.false(fake.procs.has(shim.pid), 'the shim ended with its app');
  t.deepEqual(await readdir(path.join(stateDir, 'nsenter')), [], 'its files are gone once the exit was heard');
  await pods.remove('web', true);
  t.deepEqual(await leftovers(node), []);
});

test.serial('a shim killed by hand leaves its app running, watched through its pid: a stop ends it, and nothing is left', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods } = node;
  const r = await pods.create(sleepPod('web'));
  const app = fake.procs.get(r.containers[0]!.pid!)!;
  const shim = app.ppid;
  const mark = fake.journal.length;
  fake.kill(shim, 'SIGKILL');
  await waitFor(async () => fake.journal.slice(mark).some((l) => l === `pidwatch watch ${app.pid} ${app.startTime}`), 'the app to be watched through pidwatch');
  t.true(fake.procs.has(app.pid), 'the app runs on');
  t.like(pods.get('web').containers[0], { state: 'Running', pid: app.pid, restartCount: 0 });
  const stopped = await pods.stop('web');
  t.like(stopped.containers[0], { state: 'Terminated', reason: 'Killed' });
  t.false(fake.procs.has(app.pid));
  await pods.remove('web', false);
  t.deepEqual(await leftovers(node), []);
});

test.serial('a container whose shim directory cannot be made (a full disk) still starts; its exit code comes from the shim\'s own', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods, stateDir } = node;
  // The state dir's nsenter/ is a file: the container's directory cannot be made.
  await writeFile(path.join(stateDir, 'nsenter'), '');
  const r = await pods.create(sleepPod('web', { restartPolicy: 'Never' }));
  t.like(r.containers[0], { state: 'Running' });
  fake.exit(fake.procs.get(r.containers[0]!.pid!)!, 3, null);
  const ended = await waitFor(async () => pods.get('web').containers[0]!.state === 'Terminated' && pods.get('web').containers[0]!, 'the app to end');
  t.like(ended, { reason: 'Error', exitCode: 3 });
  await pods.remove('web', true);
  t.deepEqual(await leftovers(node), []);
});

test.serial('gc lists the shim files no pod record names and the console directory of a killed daemon\'s exec -t; fix removes both', async (t) => {
  const node = await fakeNode(t);
  const { pods, stateDir } = node;
  const r = await pods.create(sleepPod('web'));
  const ghost = path.join(stateDir, 'nsenter', 'ghost-app-AbCd1234');
  await mkdir(ghost, { recursive: true });
  await writeFile(path.join(ghost, 'exit'), 'code 0\n');
  const tty = path.join(stateDir, 'tty', 'Xy12Zz');
  await mkdir(tty, { recursive: true });
  const orphans = await pods.gc(false);
  t.deepEqual(orphans.map((o) => `${o.kind} ${o.name}`).sort(), [`console ${tty}`, 'container nsenter://ghost-app-AbCd1234']);
  t.regex(orphans.find((o) => o.kind === 'console')!.origin, /exec -t.*daemon was killed/);
  t.regex(orphans.find((o) => o.kind === 'container')!.origin, /shim files/);
  await pods.gc(true);
  t.false(await exists(ghost));
  t.false(await exists(tty));
  t.true(await exists(path.join(stateDir, 'nsenter', r.containers[0]!.containerID!.slice('nsenter://'.length))), 'the running app\'s own are kept');
  t.deepEqual(await pods.gc(false), []);
});
