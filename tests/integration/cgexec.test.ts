// `cgexec --detach` (rootfs/cgexec): how a node's holder and daemon start (lib/node/launch.ts).
// The child is born in the cgroup (clone3's CLONE_INTO_CGROUP) or, where clone3 cannot place it
// (a v1 hierarchy here), joins it before it execs; cgexec prints its pid once it runs and exits
// without waiting for it; a child that cannot start is cgexec's exit code, with no pid printed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { findCgroup2, removeCgroup, v1Hierarchy } from '../../lib/cgroup/cgroup.js';
import { waitUntil } from '../../lib/util/wait.js';
import { alive } from '../helpers/node.js';

const CGEXEC = path.resolve('rootfs/cgexec/cgexec');
const name = `minipod-test-cgexec-${process.pid}`;
const unified = path.join(findCgroup2()!, name);
const pids = v1Hierarchy('pids') && path.join(v1Hierarchy('pids')!, name);
let log: string;

test.before(async () => {
  log = path.join(await mkdtemp(path.join(os.tmpdir(), 'minipod-cgexec-')), 'log');
  await mkdir(unified);
  if (pids) await mkdir(pids);
});
test.after.always(async () => {
  await removeCgroup(unified);
  if (pids) await removeCgroup(pids);
  await rm(path.dirname(log), { recursive: true, force: true });
});

const ppidOf = async (pid: number) => Number((await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[1]);

test.serial('the child is born in a cgroup2 directory, runs on after cgexec exits, and its stdout is cgexec\'s stderr', async (t) => {
  // A descriptor of our own, as a launcher's log is (execa would pipe a file, and wait for the child holding it).
  const fd = openSync(log, 'w');
  const cgexec = spawn(CGEXEC, ['--detach', unified, '/bin/sh', '-c', 'echo to-stdout; exec sleep 30'], { stdio: ['ignore', 'pipe', fd] });
  closeSync(fd);
  let stdout = '';
  cgexec.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const [code] = await once(cgexec, 'close');
  const r = { exitCode: code as number, stdout: stdout.trim() };
  t.is(r.exitCode, 0);
  t.regex(r.stdout, /^\d+$/);
  const pid = Number(r.stdout);
  t.true(await alive(pid));
  t.not(await ppidOf(pid), cgexec.pid, 'nobody waits for it: cgexec is gone');
  t.regex(await readFile(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`^0::/${name}$`, 'm'));
  t.truthy(await waitUntil(async () => (await readFile(log, 'utf8')) === 'to-stdout\n', { timeoutMs: 5000, everyMs: 10 }));
  process.kill(pid, 'SIGKILL');
  t.truthy(await waitUntil(async () => !(await alive(pid)), { timeoutMs: 5000, everyMs: 10 }));
});

// A machine with cgroup2 alone has no v1 hierarchy to show it on.
if (pids) test.serial('where clone3 cannot place the child (a v1 hierarchy), it joins before it execs', async (t) => {
  const r = await execa(CGEXEC, ['--detach', pids!, '/bin/sleep', '30'], { reject: false, stdin: 'ignore', stderr: 'ignore' });
  t.is(r.exitCode, 0);
  const pid = Number(r.stdout);
  t.regex(await readFile(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`^\\d+:pids:/${name}$`, 'm'));
  process.kill(pid, 'SIGKILL');
  t.truthy(await waitUntil(async () => !(await alive(pid)), { timeoutMs: 5000, everyMs: 10 }));
});

test.serial('a program that cannot run, or a cgroup that is not there, is cgexec\'s exit code and no pid', async (t) => {
  let r = await execa(CGEXEC, ['--detach', unified, '/nonexistent/program'], { reject: false });
  t.is(r.exitCode, 127);
  t.is(r.stdout, '');
  t.regex(r.stderr, /cannot execute \/nonexistent\/program: No such file or directory/);
  r = await execa(CGEXEC, ['--detach', `${unified}-missing`, '/bin/true'], { reject: false });
  t.is(r.exitCode, 125);
  t.is(r.stdout, '');
  t.regex(r.stderr, /cannot open .*-missing: No such file or directory/);
  if (pids) {
    r = await execa(CGEXEC, ['--detach', pids, '/nonexistent/program'], { reject: false });
    t.is(r.exitCode, 127, 'the fallback reports an exec failure too');
    t.is(r.stdout, '');
  }
  t.is((await readFile(path.join(unified, 'cgroup.procs'), 'utf8')).trim(), '', 'nothing was left in the cgroup');
});
