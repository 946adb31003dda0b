// `minipod exec` on the fake host: which container, what is spawned for each runtime, with and
// without a terminal. A container without an image is entered as before images existed.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { execContainer } from '../../../lib/pod/exec.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { OciRuntime } from '../../../lib/runtime/oci.js';
import { useHost } from '../../../lib/os/host.js';
import type { PidWatcher } from '../../../lib/process/watcher.js';
import { waitUntil } from '../../../lib/util/wait.js';
import { defaultedNote } from '../../../cmd/commands/exec.js';
import { fakeNode, sleepPod } from '../../helpers/fake-node.js';
import { tempDir } from '../../helpers/temp.js';
import { FakeHost } from '../../../lib/os/fake.js';

const twoContainers = () => sleepPod('web', { containers: [{ name: 'httpd', command: ['/bin/sleep', '100'] }, { name: 'bootcamp', command: ['/bin/sleep', '100'] }] });

test('the container of an exec: the one named, or the first; an unknown one is an error listing them', (t) => {
  const r = { name: 'web', containers: [{ name: 'httpd' }, { name: 'bootcamp' }] } as PodRecord;
  t.is(execContainer(r, undefined), 'httpd');
  t.is(execContainer(r, 'bootcamp'), 'bootcamp');
  const err = t.throws(() => execContainer(r, 'nope'), { instanceOf: MinipodError });
  t.is(err!.code, 'NOT_FOUND');
  t.is(err!.message, 'container "nope" is not in pod web: its containers are httpd, bootcamp (choose one with -c)');
});

test("kubectl's note names the first container of several, and nothing for one, or where no container has an image", (t) => {
  const pod = (...specs: { name: string; image?: string }[]) => ({ containers: specs.map(({ name }) => ({ name })), manifest: { spec: { containers: specs } } }) as unknown as PodRecord;
  t.is(defaultedNote(pod({ name: 'httpd', image: 'httpd' }, { name: 'bootcamp', image: 'bootcamp:v1' })), 'Defaulted container "httpd" out of: httpd, bootcamp');
  t.is(defaultedNote(pod({ name: 'app', image: 'busybox' })), undefined);
  t.is(defaultedNote(pod({ name: 'httpd' }, { name: 'bootcamp' })), undefined, 'without images, exec enters the pod, not a container');
});

test.serial('exec in a container without an image: nsenter into the pod, in its cgroup, as before; -t puts ptyrelay in front', async (t) => {
  const { fake, pods } = await fakeNode(t);
  const r = await pods.create(twoContainers());
  const { proc } = await pods.exec('web', ['ls', '/'], { container: 'bootcamp' });
  const spawned = fake.spawned.find((s) => s.pid === proc.pid)!;
  t.deepEqual(spawned.argv.slice(0, 2), [fake.tools.cgexec, `/fake/cgroup/minipod/pod-${r.uid}`]);
  t.is(path.basename(spawned.argv[2]!), 'nsenter');
  t.deepEqual(spawned.argv.slice(-3), ['--', 'ls', '/']);
  t.deepEqual(spawned.env, { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: 'web', TERM: 'xterm' });
  t.is(fake.procs.get(proc.pid!)!.ns.net, r.sandbox!.netns);

  const { proc: onTty } = await pods.exec('web', ['sh'], { tty: { rows: 30, cols: 100 } });
  t.deepEqual(fake.spawned.find((s) => s.pid === onTty.pid)!.argv.slice(0, 4), [fake.tools.ptyrelay, '30', '100', fake.tools.cgexec]);
});

test.serial('exec with an unknown container spawns nothing', async (t) => {
  const { fake, pods } = await fakeNode(t);
  await pods.create(twoContainers());
  const spawns = fake.spawned.length;
  await t.throwsAsync(pods.exec('web', ['ls'], { container: 'nope' }), { message: /its containers are httpd, bootcamp/ });
  t.is(fake.spawned.length, spawns);
});

/** A state dir with one container's bundle config (what exec reads the container's process from). */
async function bundleState(t: ExecutionContext, under?: string): Promise<string> {
  const state = under ?? (await tempDir(t, 'minipod-exec-'));
  await mkdir(path.join(state, 'containers', 'web-httpd-abcd1234'), { recursive: true });
  await writeFile(path.join(state, 'containers', 'web-httpd-abcd1234', 'config.json'), JSON.stringify({ process: { terminal: false, user: { uid: 33, gid: 33 }, args: ['/bin/httpd'], env: ['PATH=/bin', 'A=b'], cwd: '/srv', noNewPrivileges: true } }));
  return state;
}

/** The process file an exec was given (read while the exec runs: it goes with it). */
const processOf = async (argv: readonly string[]) => JSON.parse(await readFile(argv[argv.indexOf('--process') + 1]!, 'utf8')) as Record<string, unknown>;

test.serial('runc exec: the container\'s own process with the command for args; with a terminal, runc sends its pty to ptyrelay over a private socket under the state dir, removed with the exec', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, { ...fake.tools, runc: '/fake/bin/runc' }));
  const state = await bundleState(t);
  const runtime = new OciRuntime('runc', {} as PidWatcher, state);
  const base = { pod: 'web', sandboxPid: 1, containerID: 'runc://web-httpd-abcd1234', inPodCgroup: (a: string[]) => a };
  const { proc } = await runtime.exec({ ...base, argv: ['ps'] });
  const plain = fake.spawned.find((s) => s.pid === proc.pid)!.argv;
  const processFile = plain[11]!;
  // Through `cgexec -` (umask 022: runc 1.1 gives an exec its own); its messages in a JSON log too (a
  // failure to start the command is 127 or 126); --pid-file: the command leads its own session in the container; a client that leaves has it signalled through this pid.
  t.deepEqual(plain, [fake.tools.cgexec, '-', '/fake/bin/runc', '--root', `${state}/runc`, '--log', path.join(path.dirname(processFile), 'runtime.log'), '--log-format', 'json', 'exec', '--process', processFile, '--pid-file', path.join(path.dirname(processFile), 'pid'), 'web-httpd-abcd1234']);
  t.is(path.dirname(path.dirname(processFile)), path.join(state, 'tty'), 'the process file is under the state dir');
  t.deepEqual(await processOf(plain), { terminal: false, user: { uid: 33, gid: 33 }, args: ['ps'], env: ['PATH=/bin', 'A=b'], cwd: '/srv', noNewPrivileges: true }, 'the container\'s env, user, working dir; the command');

  const { proc: onTty } = await runtime.exec({ ...base, argv: ['sh'], tty: { rows: 24, cols: 80 } });
  const argv = [...fake.spawned.find((s) => s.pid === onTty.pid)!.argv];
  const [socket, pidFile] = [argv[4]!, argv[5]!];
  t.deepEqual(argv, [fake.tools.ptyrelay, '24', '80', '-s', socket, pidFile, fake.tools.cgexec, '-', '/fake/bin/runc', '--root', `${state}/runc`, 'exec', '--process', path.join(path.dirname(socket), 'process.json'), '--detach', '--console-socket', socket, '--pid-file', pidFile, 'web-httpd-abcd1234']);
  t.like(await processOf(argv), { terminal: true, args: ['sh'], env: ['PATH=/bin', 'A=b', 'TERM=xterm'], consoleSize: { height: 24, width: 80 } });
  t.true(socket.length < 108, 'a unix socket path fits in sun_path');
  t.is(path.dirname(path.dirname(socket)), path.join(state, 'tty'));
  t.true(existsSync(path.dirname(socket)));
  t.deepEqual(await runtime.execLeftovers(), [], 'an exec under way is no leftover');
  onTty.kill('SIGKILL');
  proc.kill('SIGKILL');
  t.true(await waitUntil(() => !existsSync(path.dirname(socket)) && !existsSync(path.dirname(processFile)), { timeoutMs: 5000, everyMs: 10 }), 'their directories go with them');
});

test.serial('crun exec: the same under crun, in its own state root; a runc container is not one of crun\'s', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, { ...fake.tools, runc: '/fake/bin/runc', crun: '/fake/bin/crun' }));
  const state = await bundleState(t);
  const runtime = new OciRuntime('crun', {} as PidWatcher, state);
  const base = { pod: 'web', sandboxPid: 1, inPodCgroup: (a: string[]) => a };
  const { proc } = await runtime.exec({ ...base, containerID: 'crun://web-httpd-abcd1234', argv: ['ps'] });
  const argv = fake.spawned.find((s) => s.pid === proc.pid)!.argv;
  t.deepEqual(argv, [fake.tools.cgexec, '-', '/fake/bin/crun', '--root', `${state}/crun`, '--log', path.join(path.dirname(argv[11]!), 'runtime.log'), '--log-format', 'json', 'exec', '--process', argv[11]!, '--pid-file', path.join(path.dirname(argv[11]!), 'pid'), 'web-httpd-abcd1234']);
  t.like(await processOf(argv), { args: ['ps'], user: { uid: 33, gid: 33 }, cwd: '/srv' });
  proc.kill('SIGKILL');
  await t.throwsAsync(runtime.exec({ ...base, containerID: 'runc://web-httpd-abcd1234', argv: ['ps'] }), { message: /no crun id/ });
});

test.serial('the console directory a killed daemon left is a leftover for gc; a state dir too long for a socket path is refused with what to do', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, { ...fake.tools, runc: '/fake/bin/runc' }));
  const state = await tempDir(t, 'minipod-exec-');
  await mkdir(path.join(state, 'tty', 'AbC123'), { recursive: true });
  const runtime = new OciRuntime('runc', {} as PidWatcher, state);
  t.deepEqual(await runtime.execLeftovers(), [path.join(state, 'tty', 'AbC123')]);

  const deep = await bundleState(t, path.join(state, 'x'.repeat(100)));
  const far = new OciRuntime('runc', {} as PidWatcher, deep);
  const base = { pod: 'web', sandboxPid: 1, containerID: 'runc://web-httpd-abcd1234', inPodCgroup: (a: string[]) => a, argv: ['sh'], tty: { rows: 24, cols: 80 } };
  const spawns = fake.spawned.length;
  await t.throwsAsync(far.exec(base), { message: /^exec -t: the console socket path .* bytes, over the 107 a unix socket allows: run the node with a shorter state directory$/ });
  t.is(fake.spawned.length, spawns, 'nothing is spawned');
  t.deepEqual(await readdir(path.join(deep, 'tty')), [], 'and its directory is removed');
});
