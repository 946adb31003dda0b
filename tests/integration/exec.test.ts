// `minipod exec` into containers with an image (issue 10): `-c` enters that container's own mount
// and PID namespaces (runc exec) with its env and working dir, no `-c` defaults to the first
// container and says so, an unknown one is an error naming the containers; `-it` is a real
// terminal, driven through tmux: size at start and on resize, Ctrl-C to the foreground job, the
// exit code passed through.
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'ava';
import { execa } from 'execa';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { assertNodeEmpty, CLI, restartTestNode, startTestNode, type TestNode } from '../helpers/node.js';
import { importSeedImages } from '../helpers/seed.js';

let node: TestNode;

test.before(async () => {
  node = await startTestNode();
  await importSeedImages(node);
  await node.api.request('POST', '/pods', {
    metadata: { name: 'web' },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'httpd', image: 'httpd', env: [{ name: 'GREETING', value: 'hello' }] },
        { name: 'bootcamp', image: 'bootcamp:v1' },
      ],
    },
  });
  const ready = await waitUntil(async () => {
    const p = await node.api.request<PodRecord>('GET', '/pods/web');
    return p.containers.every((c) => c.state === 'Running') ? p : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  if (!ready) throw new Error('pod web never ran');
});
test.after.always(async () => {
  await execa('tmux', ['-S', TMUX, 'kill-server'], { reject: false });
  await rm(TMUX, { force: true });
  await node?.cli(['rm', '-f', 'web']);
  for (const ref of ['httpd', 'bootcamp:v1']) await node?.cli(['image', 'rm', ref]);
  await node?.dispose();
});

test.serial('exec -c httpd -- ps: PID 1 is httpd and nothing of the node is there', async (t) => {
  const r = await node.cli(['exec', 'web', '-c', 'httpd', '--', 'ps']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^\s*1\s+root\s+(\S*\/)?httpd\b/m, r.stdout);
  const commands = r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).slice(2).join(' '));
  t.true(commands.every((c) => /^(\S*\/)?(httpd|ps)\b/.test(c)), `only the container's processes: ${commands.join(' | ')}`);
  t.is(r.stderr, '', 'a named container is not announced');
});

test.serial("exec -c bootcamp -- ls /: the image's root filesystem, not the node's", async (t) => {
  const inside = await node.cli(['exec', 'web', '-c', 'bootcamp', '--', 'ls', '/']);
  t.is(inside.exitCode, 0, inside.stderr);
  const onNode = await node.sh(['ls', '/']);
  t.notDeepEqual(inside.stdout.split(/\s+/).sort(), onNode.stdout.split(/\s+/).sort());
  t.true(inside.stdout.split(/\s+/).includes('etc'));
  t.false(inside.stdout.split(/\s+/).includes('work'), 'the node has /work, the image has not');
});

test.serial("exec runs with the container's env (image + manifest) and working dir, and passes the exit code", async (t) => {
  const env = await node.cli(['exec', 'web', '-c', 'httpd', '--', 'env']);
  t.regex(env.stdout, /^GREETING=hello$/m);
  t.regex(env.stdout, /^HOSTNAME=web$/m);
  t.is((await node.cli(['exec', 'web', '-c', 'httpd', '--', 'pwd'])).stdout, '/usr/local/apache2\n');
  t.is((await node.cli(['exec', 'web', '-c', 'httpd', '--', 'sh', '-c', 'exit 7'])).exitCode, 7);
});

test.serial('all of an exec\'s output reaches a pipe: the client exits once it is written, not once the command has', async (t) => {
  // 20 MB on stderr into a pipe, ten times: before, 7 runs of 30 lost 33-100 KB at the end.
  const counts: number[] = [];
  for (let i = 0; i < 10; i++) {
    const { stdout } = await execa('sh', ['-c', `"$0" "$1" exec web -c bootcamp -- sh -c 'seq 1 3000000 >&2' 2>&1 >/dev/null | wc -c`, process.execPath, CLI], { env: { MINIPOD_SOCKET: node.socket } });
    counts.push(Number(stdout.trim()));
  }
  t.deepEqual(counts, Array(10).fill(22_888_896));
});

test.serial('a command the runtime cannot start exits 127 (not found) or 126 (not executable), as podman exec; the runtime\'s reason on stderr; a command\'s own 255 stays 255', async (t) => {
  const missing = await node.cli(['exec', 'web', '-c', 'bootcamp', '--', 'nosuchbin']);
  t.is(missing.exitCode, 127);
  t.regex(missing.stderr, /exec: "nosuchbin": executable file not found in \$PATH/);
  t.notRegex(missing.stderr, /time=|level=/, 'the runtime\'s message, not its log line');
  t.is((await node.cli(['exec', 'web', '-c', 'bootcamp', '--', '/etc/passwd'])).exitCode, 126);
  t.is((await node.cli(['exec', 'web', '-c', 'bootcamp', '--', 'sh', '-c', 'exit 255'])).exitCode, 255);
});

test.serial('exec -i passes stdin without a terminal', async (t) => {
  const r = await node.cli(['exec', '-i', 'web', '-c', 'bootcamp', '--', 'sh', '-c', 'cat; test -t 0 || echo no-tty'], 'piped in\n');
  t.is(r.stdout, 'piped in\nno-tty\n', r.stderr);
});

test.serial('exec without -c defaults to the first container and says so, as kubectl does', async (t) => {
  const r = await node.cli(['exec', 'web', '--', 'hostname']);
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout, 'web\n');
  t.is(r.stderr, 'Defaulted container "httpd" out of: httpd, bootcamp\n');
});

test.serial('exec -c with an unknown container fails, naming the containers', async (t) => {
  const r = await node.cli(['exec', 'web', '-c', 'nope', '--', 'true']);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /container "nope" is not in pod web: its containers are httpd, bootcamp/);
});

/** The private directories of the runtime's process files and console sockets are removed once their exec has ended (bounded wait). */
const consoleDirs = () => readdir(path.join(node.stateDir, 'tty')).catch(() => [] as string[]);
const consoleDirsGone = () => waitUntil(async () => (await consoleDirs()).length === 0, { timeoutMs: 5000, everyMs: 20 });

// ---- a real terminal: tmux runs the CLI in a pane, keys are typed, the screen is read back.
// A server of our own, on a socket path we remove (tmux leaves it behind after kill-server).
const TMUX = path.join(tmpdir(), `minipod-exec-tmux-${process.pid}.sock`);
const tmux = (...args: string[]) => execa('tmux', ['-S', TMUX, ...args], { timeout: 10_000 });
const screen = async () => (await tmux('capture-pane', '-p', '-t', 'exec')).stdout;
const paneSize = async () => (await tmux('display-message', '-p', '-t', 'exec', '#{pane_height} #{pane_width}')).stdout.trim();

/** Wait (bounded) until the pane shows `pattern`; the screen it showed otherwise, in the failure. */
async function shows(pattern: RegExp, what: string): Promise<string> {
  const seen = await waitUntil(async () => {
    const s = await screen();
    return pattern.test(s) ? s : undefined;
  }, { timeoutMs: 15_000, everyMs: 100 });
  if (!seen) throw new Error(`the terminal never showed ${what}:\n${await screen()}`);
  return seen;
}

test.serial('exec -it is a real terminal: its size at start and on resize, Ctrl-C to the foreground job, the exit code back', async (t) => {
  await tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'exec', '-x', '100', '-y', '30', '-e', `MINIPOD_SOCKET=${node.socket}`, 'sh');
  await tmux('set-option', '-t', 'exec', 'status', 'off');
  await tmux('send-keys', '-t', 'exec', `${process.execPath} ${CLI} exec -it web -c httpd -- sh; echo EXIT=$?`, 'Enter');
  await shows(/^\/usr\/local\/apache2 #/m, 'the shell prompt in the working dir');
  await tmux('send-keys', '-t', 'exec', 'echo $((6*7)); stty size', 'Enter');
  t.regex(await shows(/^42\n\d+ \d+$/m, '42 and a size'), new RegExp(`^42\\n${await paneSize()}$`, 'm'), 'the pane size is the terminal size');

  await tmux('resize-window', '-t', 'exec', '-x', '120', '-y', '40');
  const resized = await paneSize();
  t.not(resized, '30 100');
  await tmux('send-keys', '-t', 'exec', 'clear; stty size', 'Enter');
  await shows(new RegExp(`^${resized}$`, 'm'), `the new size ${resized}`);

  await tmux('send-keys', '-t', 'exec', 'sleep 100', 'Enter');
  const sleeping = await waitUntil(async () => /\bsleep 100\b/.test((await node.cli(['exec', 'web', '-c', 'httpd', '--', 'ps'])).stdout), { timeoutMs: 15_000, everyMs: 100 });
  t.true(sleeping, 'sleep 100 runs in the container');
  await tmux('send-keys', '-t', 'exec', 'C-c');
  await tmux('send-keys', '-t', 'exec', 'echo after=$((40+2))', 'Enter');
  await shows(/^after=42$/m, 'the prompt back after Ctrl-C');

  await tmux('send-keys', '-t', 'exec', 'exit 3', 'Enter');
  await shows(/^EXIT=3$/m, 'the exit code of the shell');
  t.true(await consoleDirsGone(), 'the console socket directory is gone');
});

test.serial('a terminal client that goes away ends its shell and the job in the foreground', async (t) => {
  const inHttpd = async () => (await node.cli(['exec', 'web', '-c', 'httpd', '--', 'ps'])).stdout;
  await tmux('new-session', '-d', '-s', 'gone', '-x', '80', '-y', '24', '-e', `MINIPOD_SOCKET=${node.socket}`, `${process.execPath} ${CLI} exec -it web -c httpd -- sh`);
  t.true(await waitUntil(async () => /\bsh\n/.test(await inHttpd()), { timeoutMs: 15_000, everyMs: 100 }), 'the shell runs');
  await tmux('send-keys', '-t', 'gone', 'sleep 300', 'Enter');
  t.true(await waitUntil(async () => /\bsleep 300\b/.test(await inHttpd()), { timeoutMs: 15_000, everyMs: 100 }), 'sleep 300 runs');
  await tmux('kill-session', '-t', 'gone'); // the CLI gets SIGHUP and dies, its connection closes
  const left = await waitUntil(async () => {
    const ps = await inHttpd();
    return /\bsh\n|sleep 300/.test(ps) ? undefined : ps;
  }, { timeoutMs: 15_000, everyMs: 100 });
  t.truthy(left, `the shell and its sleep are gone: ${await inHttpd()}`);
});

// The restored daemon stops an old exec found in the pod's network namespace (the shell), and
// ptyrelay, its stdin closed with the old daemon, hangs the terminal up: neither is left.
test.serial('a daemon restart leaves no terminal exec behind: neither its shell nor its ptyrelay', async (t) => {
  const inHttpd = async () => (await node.cli(['exec', 'web', '-c', 'httpd', '--', 'ps'])).stdout;
  await tmux('new-session', '-d', '-s', 'restart', '-x', '80', '-y', '24', '-e', `MINIPOD_SOCKET=${node.socket}`, `${process.execPath} ${CLI} exec -it web -c httpd -- sh`);
  t.true(await waitUntil(async () => /\bsh\n/.test(await inHttpd()), { timeoutMs: 15_000, everyMs: 100 }), 'the shell runs');
  node = await restartTestNode(node);
  const left = await waitUntil(async () => {
    const ps = await inHttpd();
    return /\bsh\n/.test(ps) ? undefined : ps;
  }, { timeoutMs: 15_000, everyMs: 100 });
  t.truthy(left, `the shell is gone: ${await inHttpd()}`);
  const relays = async () => {
    const found: number[] = [];
    for (const pid of (await readdir('/proc')).filter((f) => /^\d+$/.test(f))) {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmd.includes('ptyrelay') && cmd.includes(node.dir)) found.push(Number(pid));
    }
    return found;
  };
  t.true(await waitUntil(async () => (await relays()).length === 0, { timeoutMs: 15_000, everyMs: 100 }), `ptyrelay still there: ${await relays()}`);
});

// A daemon killed outright cannot remove the console socket directory of an exec under way: it
// is under the state dir (never /tmp), where the next daemon's start finds it and removes it,
// saying where it came from.
test.serial('a daemon SIGKILLed during an exec -t leaves its console directory; the next daemon\'s start removes it', async (t) => {
  const inHttpd = async () => (await node.cli(['exec', 'web', '-c', 'httpd', '--', 'ps'])).stdout;
  await tmux('new-session', '-d', '-s', 'sigkill', '-x', '80', '-y', '24', '-e', `MINIPOD_SOCKET=${node.socket}`, `${process.execPath} ${CLI} exec -it web -c httpd -- sh`);
  t.teardown(() => execa('tmux', ['-S', TMUX, 'kill-session', '-t', 'sigkill'], { reject: false }));
  t.true(await waitUntil(async () => /\bsh\n/.test(await inHttpd()), { timeoutMs: 15_000, everyMs: 100 }), 'the shell runs');
  const [dir] = await consoleDirs();
  t.truthy(dir, 'the exec has its console directory under the state dir');
  process.kill(node.pid, 'SIGKILL');
  await waitUntil(async () => !(await readFile(`/proc/${node.pid}/stat`, 'utf8').catch(() => '')), { timeoutMs: 10_000, everyMs: 20 });
  t.deepEqual(await consoleDirs(), [dir], 'left behind by the killed daemon');
  node = await startTestNode({}, node.dir);
  t.deepEqual(await consoleDirs(), [], 'removed at the next daemon\'s start');
  const removed = (await node.cli(['events', '--json'])).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string; message: string });
  t.true(removed.some((e) => e.reason === 'OrphanRemoved' && e.message.startsWith(`console ${path.join(node.stateDir, 'tty', dir!)}: the console socket directory of an \`exec -t\``)), JSON.stringify(removed));
  t.true(await waitUntil(async () => !/\bsh\n/.test(await inHttpd()), { timeoutMs: 15_000, everyMs: 100 }), 'its shell is stopped by the next daemon');
});

test.serial('on a terminal, a command missing from the image is an error on stderr and a non-zero exit, and leaves no console socket', async (t) => {
  const [stdin, stdout, stderr] = [new PassThrough(), new PassThrough(), new PassThrough()];
  let err = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  stdout.resume();
  const tty = { size: { rows: 24, cols: 80 }, watch: () => () => {} };
  const code = await node.api.exec('web', ['no-such-program'], { stdin, stdout, stderr }, { container: 'httpd', tty });
  t.not(code, 0);
  t.regex(err, /no-such-program/);
  t.true(await consoleDirsGone(), 'the console socket directory is gone');
});

test.serial('a pod without images: exec enters its namespaces as before, and -t gives a pty of the given size', async (t) => {
  await node.api.request('POST', '/pods', { metadata: { name: 'plain' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', '1000'] }] } });
  t.teardown(() => node.cli(['rm', '-f', 'plain']));
  const r = await node.cli(['exec', 'plain', '--', 'hostname']);
  t.is(r.stdout, 'plain\n');
  t.is(r.stderr, '', 'one container: no note');
  const [stdin, stdout, stderr] = [new PassThrough(), new PassThrough(), new PassThrough()];
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.resume();
  const tty = { size: { rows: 33, cols: 111 }, watch: () => () => {} };
  const code = await node.api.exec('plain', ['sh', '-c', 'stty size; test -t 0 && echo on-a-tty; exit 5'], { stdin, stdout, stderr }, { tty });
  t.is(code, 5);
  t.is(out, '33 111\r\non-a-tty\r\n', 'a terminal writes CR LF');
  t.is((await node.cli(['rm', '-f', 'plain'])).exitCode, 0);
});

/** Pids on the machine whose argv is exactly argv (the node's processes are ours to see). */
async function pidsOf(argv: string[]): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await readdir('/proc')).filter((f) => /^\d+$/.test(f))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd === `${argv.join('\0')}\0`) found.push(Number(pid));
  }
  return found;
}

test.serial("a pod without images: exec sees the container's env (the manifest's over the defaults)", async (t) => {
  await node.api.request('POST', '/pods', { metadata: { name: 'plainenv' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', '1000'], env: [{ name: 'GREETING', value: 'hi there' }, { name: 'PATH', value: '/usr/bin:/bin' }] }] } });
  t.teardown(() => node.cli(['rm', '-f', 'plainenv']).then(() => undefined));
  const env = (await node.cli(['exec', 'plainenv', '--', 'env'])).stdout;
  t.regex(env, /^GREETING=hi there$/m);
  t.regex(env, /^HOSTNAME=plainenv$/m);
  t.regex(env, /^PATH=\/usr\/bin:\/bin$/m);
  t.notRegex(env, /^MINIPOD_SOCKET=/m, 'nothing of the daemon\'s or the client\'s environment');
  t.is((await node.cli(['exec', 'plainenv', '--', 'sh', '-c', 'umask'])).stdout, '0022\n', "an exec's umask, as a container's: not the daemon's 077");
  t.regex(await readFile(`/proc/${(await node.api.request<PodRecord>('GET', '/pods/plainenv')).containers[0]!.pid}/status`, 'utf8'), /^Umask:\t0022$/m, "so is the app's");
});

test.serial('a client stopped by Ctrl-C (SIGINT) or SIGTERM stops its command in the pod, with and without an image; its exit status names the signal', async (t) => {
  await node.api.request('POST', '/pods', { metadata: { name: 'plainsig' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', '1000'] }] } });
  t.teardown(() => node.cli(['rm', '-f', 'plainsig']).then(() => undefined));
  let n = 400;
  for (const [pod, container] of [['web', 'httpd'], ['plainsig', 'app']] as const) {
    for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const argv = ['sleep', String(++n)];
      const cli = execa(process.execPath, [CLI, 'exec', pod, '-c', container, '--', ...argv], { env: { MINIPOD_SOCKET: node.socket }, reject: false, stdin: 'pipe' });
      const what = `${argv.join(' ')} in ${pod}/${container}`;
      t.true(await waitUntil(async () => (await pidsOf(argv)).length > 0, { timeoutMs: 15_000, everyMs: 50 }), `${what} runs`);
      cli.kill(signal);
      t.is((await cli).exitCode, status, `${signal}: ${what}`);
      t.true(await waitUntil(async () => (await pidsOf(argv)).length === 0, { timeoutMs: 15_000, everyMs: 50 }), `${what} is stopped after ${signal}`);
    }
  }
});

test.serial('a terminal client stopped by SIGTERM ends its shell, with and without an image', async (t) => {
  await node.api.request('POST', '/pods', { metadata: { name: 'plainterm' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', '1000'] }] } });
  t.teardown(() => node.cli(['rm', '-f', 'plainterm']).then(() => undefined));
  let n = 500;
  for (const [pod, container] of [['web', 'httpd'], ['plainterm', 'app']] as const) {
    const argv = ['sleep', String(++n)];
    const session = `term${n}`;
    await tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-e', `MINIPOD_SOCKET=${node.socket}`, `${process.execPath} ${CLI} exec -it ${pod} -c ${container} -- ${argv.join(' ')}`);
    t.true(await waitUntil(async () => (await pidsOf(argv)).length > 0, { timeoutMs: 15_000, everyMs: 50 }), `${argv.join(' ')} runs on a terminal in ${pod}`);
    const client = Number((await tmux('display-message', '-p', '-t', session, '#{pane_pid}')).stdout.trim());
    process.kill(client, 'SIGTERM');
    t.true(await waitUntil(async () => (await pidsOf(argv)).length === 0, { timeoutMs: 15_000, everyMs: 50 }), `${argv.join(' ')} in ${pod} is stopped after SIGTERM`);
    await tmux('kill-session', '-t', session).catch(() => undefined); // gone with its only process
  }
});

test.serial('exec -t without a terminal on stdin says so and runs without one', async (t) => {
  const r = await node.cli(['exec', '-t', 'web', '-c', 'httpd', '--', 'sh', '-c', 'test -t 0 || echo no-tty'], '');
  t.is(r.stdout, 'no-tty\n');
  t.regex(r.stderr, /Unable to use a TTY - input is not a terminal/);
});

test.serial('rm -f after execs leaves nothing behind', async (t) => {
  const r = await node.cli(['rm', '-f', 'web']);
  t.is(r.exitCode, 0, r.stderr);
  await assertNodeEmpty(t, node);
});
