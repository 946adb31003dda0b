// The daemon: root-only socket and state, one daemon per run dir, its own node namespace, the
// pause holder. (What SIGTERM does to pods is live-restore.test.ts.)
import { stat } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { unreachableError } from '../../lib/api/socket.js';
import { CLI, ROOT, startTestNode, type TestNode } from '../helpers/node.js';

let node: TestNode;

test.before(async () => {
  node = await startTestNode();
});
test.after.always(() => node?.dispose());

test.serial('the socket is 0600 and the run and state dirs are 0700', async (t) => {
  t.is((await stat(node.socket)).mode & 0o777, 0o600);
  t.is((await stat(path.dirname(node.socket))).mode & 0o777, 0o700);
  t.is((await stat(node.stateDir)).mode & 0o777, 0o700);
});

test.serial('a non-root user cannot connect (EACCES), and the CLI says to run as root', async (t) => {
  // A plain connect as nobody: the checkout itself may not be readable by nobody (a clone
  // under /root or in a 0700 temp dir), so the CLI's own files are not loaded as that user.
  const probe = `require('net').connect(process.argv[1]).on('connect', () => { console.log('CONNECTED'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(1); })`;
  const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', probe, node.socket], { reject: false, cwd: '/' });
  t.is(r.exitCode, 1);
  t.is(r.stdout.trim(), 'EACCES');
  // What the CLI prints for that error (and `fail` exits 1, as every error test checks).
  t.regex(unreachableError(node.socket, Object.assign(new Error('denied'), { code: r.stdout.trim() })).message, /permission denied on .*minipod\.sock: the minipod socket is root-only, run the command as root/);
});

test.serial('a second daemon on the same run dir refuses to start', async (t) => {
  // In a throwaway network namespace of its own, so even a broken check could not touch the host.
  const r = await execa('unshare', ['--net', '--', process.execPath, CLI, 'daemon', '--state-dir', node.stateDir, '--run-dir', path.dirname(node.socket)], { reject: false, timeout: 20_000 });
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /a minipod daemon is already listening on .*minipod\.sock/);
});

test.serial('the daemon lives in its own network namespace with its bridge and gateway', async (t) => {
  const r = await node.sh(['ip', '-o', '-4', 'addr', 'show', 'dev', 'minipod0']);
  t.regex(r.stdout, /inet 10\.88\.0\.1\/16/);
  const host = await execa('ip', ['-o', 'link', 'show', 'minipod0'], { reject: false });
  t.not(host.exitCode, 0, 'no bridge in the root namespace');
});

test.serial('the pause holder is tiny, prints its version and is built into rootfs/', async (t) => {
  const pause = path.join(ROOT, 'rootfs/pause/pause');
  const v = await execa(pause, ['-v']);
  t.regex(v.stdout, /^minipod-pause \d+\.\d+\.\d+$/);
  const holder = execa(pause, [], { reject: false });
  await new Promise((r) => setTimeout(r, 100));
  const status = await execa('cat', [`/proc/${holder.pid}/status`]);
  const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(status.stdout)![1]);
  t.true(rssKb < 2048, `resident ${rssKb} kB`);
  holder.kill('SIGTERM');
  t.is((await holder).exitCode, 0, 'exits 0 on SIGTERM');
  const int = execa(pause, [], { reject: false });
  await new Promise((r) => setTimeout(r, 100));
  int.kill('SIGINT');
  t.is((await int).exitCode, 0, 'exits 0 on SIGINT');
});

test.serial('the pause holder reaps orphans when it is PID 1 of a PID namespace', async (t) => {
  const pause = path.join(ROOT, 'rootfs/pause/pause');
  const holder = execa('unshare', ['--pid', '--fork', '--kill-child', pause], { reject: false });
  t.teardown(() => holder.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 200));
  const pid1 = Number((await execa('pgrep', ['-P', String(holder.pid)])).stdout.trim());
  // The shell exits at once; its background sleeps are re-parented to PID 1 (pause) and exit.
  await execa('nsenter', [`--target=${pid1}`, '--pid', '--', 'sh', '-c', 'for i in 1 2 3 4 5; do sleep 0.1 & done']);
  await new Promise((r) => setTimeout(r, 600));
  const children = await execa('ps', ['--ppid', String(pid1), '-o', 'stat=', '-o', 'pid='], { reject: false });
  t.false(/Z/.test(children.stdout), `no zombies under pause: ${children.stdout}`);
});
