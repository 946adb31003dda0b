// A node's spare daemon (lib/node/spare-daemon.ts): a daemon process with its code loaded, waiting
// at the lowest priority in the node's namespaces and cgroup, that `node restart` hands the daemon
// line to instead of starting a process. Checked from outside: /proc (pid, nice of every thread,
// namespaces, cgroup, command line), the CLI's own note, the pods re-adopted.
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { readIdentity } from '../../lib/node/daemon-process.js';
import { nodePaths } from '../../lib/node-paths.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { alive, assertNodeEmpty, CLI, runCommand, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

/** The node's spare, once it waits on its socket. */
async function spareOf(node: TestNode): Promise<number> {
  const p = nodePaths(node.dir);
  return waitFor(async () => existsSync(p.spareSocket) && (await readIdentity(p.spareFile)), 'the spare daemon to wait on its socket');
}

/** The nice value of each of pid's threads (field 19 of /proc/PID/task/TID/stat). */
async function niceOf(pid: number): Promise<number[]> {
  const tids = await readdir(`/proc/${pid}/task`);
  return Promise.all(tids.map(async (tid) => Number((await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[16])));
}

const daemonPid = async (node: TestNode) => Number((await readFile(nodePaths(node.dir).pidFile, 'utf8')).split(' ')[0]);
const restart = (node: TestNode, env: Record<string, string> = {}) => runCommand([process.execPath, CLI, 'node', 'restart', '--dir', node.dir], { env: { MINIPOD_SOCKET: node.socket, ...env } });

test.serial('node restart hands the line to the node\'s spare daemon: that process becomes the daemon, at normal priority, and re-adopts the pods', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  const pod = await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', command: ['sleep', '1000'] }] } });
  const spare = await spareOf(node);
  t.not(spare, node.pid);
  t.deepEqual([...new Set(await niceOf(spare))], [19], 'it loaded at nice 19, every thread');
  for (const ns of ['mnt', 'net']) t.is(await readlink(`/proc/${spare}/ns/${ns}`), await readlink(`/proc/${node.holderPid}/ns/${ns}`), `in the node's ${ns} namespace`);
  t.is(await readFile(`/proc/${spare}/cgroup`, 'utf8'), await readFile(`/proc/${node.pid}/cgroup`, 'utf8'), "in the node's cgroup, beside the daemon");

  const r = await restart(node);
  t.is(r.exitCode, 0, r.stderr);
  t.is(await daemonPid(node), spare, 'the spare is the new daemon');
  t.false(alive(node.pid), 'the old daemon is gone');
  t.deepEqual([...new Set(await niceOf(spare))], [0], 'every thread back at nice 0');
  const cmdline = (await readFile(`/proc/${spare}/cmdline`, 'utf8')).split('\0').join(' ');
  t.regex(cmdline, new RegExp(`bin/minipod\\.js daemon --state-dir ${node.stateDir} --run-dir `), 'its command line is the daemon line it runs');
  t.is((await readFile(`/proc/${spare}/comm`, 'utf8')).trim(), 'node', 'its name is still node (ps, pgrep)');
  const after = await node.api.request<PodRecord>('GET', '/pods/p');
  t.like(after, { phase: 'Running', ip: pod.ip, sandbox: { pid: pod.sandbox!.pid } });
  const next = await spareOf(node);
  t.not(next, spare, 'a new spare waits for the next restart');
  t.is((await node.cli(['rm', '-f', 'p'])).exitCode, 0);
  await assertNodeEmpty(t, { ...node, pid: spare });
});

test.serial('a spare whose environment differs from the restart\'s is declined and ends; node stop leaves no spare', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  const spare = await spareOf(node);
  // A session's own variables (sudo's command line, the directory) are no reason to decline it.
  t.is((await restart(node, { SUDO_COMMAND: '/usr/bin/minipod node restart', PWD: '/srv' })).exitCode, 0);
  t.is(await daemonPid(node), spare);
  const second = await spareOf(node);
  const r = await restart(node, { MINIPOD_LOG_LEVEL: 'info' });
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, new RegExp(`the spare daemon was not taken: starting a daemon anew .*spare ${second}.*stale: the environment differs \\(MINIPOD_LOG_LEVEL\\)`));
  t.not(await daemonPid(node), second, 'a daemon started anew');
  await waitFor(async () => !alive(second), 'the declined spare to end');
  const third = await spareOf(node);
  t.true((await readFile(`/proc/${third}/environ`, 'utf8')).split('\0').includes('MINIPOD_LOG_LEVEL=info'), 'the next spare has the environment of the restart that started it');
  const stopped = await runCommand([process.execPath, CLI, 'node', 'stop', '--dir', node.dir]);
  t.is(stopped.exitCode, 0, stopped.stderr);
  t.notRegex(stopped.stderr, /left in the node/, 'the spare and the helpers it started for its daemon are the node\'s own, no leftovers');
  t.false(alive(third), 'node stop ends the spare');
  t.false(existsSync(nodePaths(node.dir).spareFile), 'no spare.pid');
  t.false(existsSync(path.join(node.dir, 'run', 'spare.sock')), 'no spare.sock');
});

test.serial('restarts back to back take the spare still loading; a stopped spare is passed over and ended; node start after a crash takes it too', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  for (let i = 0; i < 3; i++) {
    // The daemon records its next spare as it answers (spare-launch.ts), before it has loaded.
    const before = await waitFor(() => readIdentity(nodePaths(node.dir).spareFile), 'the next spare to be recorded');
    t.is((await restart(node)).exitCode, 0);
    t.is(await daemonPid(node), before, `restart ${i + 1}, at once after the last, ran the spare`);
  }
  const stopped = await spareOf(node);
  process.kill(stopped, 'SIGSTOP');
  const r = await restart(node, { MINIPOD_LOG_LEVEL: 'info' });
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /the spare daemon was not taken: starting a daemon anew .*answer stopped/);
  await waitFor(async () => !alive(stopped), 'the stopped spare to be ended');
  // A daemon SIGKILLed: `node start` finds the node's spare and hands it the line.
  const spare = await spareOf(node);
  const daemon = await daemonPid(node);
  process.kill(daemon, 'SIGKILL');
  await waitFor(async () => !alive(daemon), 'the daemon to die');
  const started = await runCommand([process.execPath, CLI, 'node', 'start', '--dir', node.dir], { env: { MINIPOD_LOG_LEVEL: 'info' } });
  t.is(started.exitCode, 0, started.stderr);
  t.is(await daemonPid(node), spare, 'node start ran the spare');
});

test.serial('MINIPOD_SPARE_DAEMON=0: a restart ends the spare without asking it and starts none', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  const spare = await spareOf(node);
  const r = await restart(node, { MINIPOD_SPARE_DAEMON: '0' });
  t.is(r.exitCode, 0, r.stderr);
  t.not(await daemonPid(node), spare);
  await waitFor(async () => !alive(spare), 'the spare to be ended');
  await new Promise((res) => setTimeout(res, 500));
  t.false(existsSync(nodePaths(node.dir).spareFile), 'no spare.pid');
});

test.serial("a spare left in a dead holder's namespaces is not taken; a spare.pid not to trust is ignored, and the spare nobody records ends itself", async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  const p = nodePaths(node.dir);
  const stranded = await spareOf(node);
  for (const pid of [await daemonPid(node), node.holderPid]) process.kill(pid, 'SIGKILL');
  await waitFor(async () => !alive(node.holderPid) && !alive(node.pid), 'the daemon and the node holder to die');
  const started = await runCommand([process.execPath, CLI, 'node', 'start', '--dir', node.dir], { env: { MINIPOD_LOG_LEVEL: 'info' } });
  t.is(started.exitCode, 0, started.stderr);
  t.regex(started.stderr, /not taken.*not in the node holder's namespaces/);
  const holder = (await readIdentity(p.holderFile))!;
  t.not(holder, node.holderPid, 'a new node holder');
  for (const ns of ['net', 'mnt']) t.is(await readlink(`/proc/${await daemonPid(node)}/ns/${ns}`), await readlink(`/proc/${holder}/ns/${ns}`), `the daemon is in the new holder's ${ns} namespace`);
  await waitFor(async () => !alive(stranded), 'the stranded spare to be ended');
  // A spare.pid replaced by a symlink: not followed, the restart goes on; the spare it named, now
  // nobody's, sees its socket taken by the next one and ends.
  const unrecorded = await spareOf(node);
  await rm(p.spareFile);
  await symlink('/nonexistent', p.spareFile);
  const r = await restart(node);
  t.is(r.exitCode, 0, r.stderr);
  await waitFor(async () => !alive(unrecorded), 'the unrecorded spare to end itself', 10_000);
  t.truthy(await spareOf(node), 'a new spare, recorded');
});
