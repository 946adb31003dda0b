// The spare daemon's side of the handoff (lib/node/spare-daemon.ts): when it may run the line it is
// sent (its code, environment and log those of a daemon started now), the exchange on its socket,
// and its title. The launcher's side needs a node (tests/integration/spare-daemon.test.ts).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { stampOf, staleness, titleOf, waitAsSpare, type Go, type SpareSelf } from '../../../lib/node/spare-daemon.js';
import { MINIPOD_CLI } from '../../../lib/node/launch.js';
import { ROOT } from '../../helpers/node.js';

const STATE = '/var/lib/minipod-node/state';
const line = ['daemon', '--state-dir', STATE, '--run-dir', '/var/lib/minipod-node/run'];
const env = { PATH: '/usr/bin:/bin', MINIPOD_LOG_LEVEL: 'info' };
const me: SpareSelf = { env, log: '2049:77', nodeReplaced: false, limits: 'Max open files 1024 1048576 files\n' };
const go = (over: Partial<Go> = {}): Go => ({ argv: line, env, nice: 0, log: '2049:77', node: process.execPath, cli: MINIPOD_CLI, limits: me.limits, ...over });
const anyLine = () => true;

async function tmp(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-spare-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A "bundle" file and the stamps a spare took of it. */
async function code(t: ExecutionContext): Promise<{ file: string; code: Map<string, string> }> {
  const file = path.join(await tmp(t), 'daemon.cjs');
  await writeFile(file, 'module.exports = 1;\n');
  return { file, code: new Map([[file, stampOf(file)]]) };
}

test('its stamp of a file is the one bin/require-cached.js takes: else every spare would be declined', async (t) => {
  const { fileStamp } = createRequire(import.meta.url)(path.join(ROOT, 'bin/require-cached.js')) as { fileStamp: (f: string) => string };
  const c = await code(t);
  t.is(stampOf(c.file), fileStamp(c.file));
});

test("a spare whose code, environment and log are a new daemon's runs the line", async (t) => {
  const c = await code(t);
  t.is(staleness(go(), c.code, STATE, anyLine, me), undefined);
  t.is(staleness(go({ nice: 10 }), c.code, STATE, anyLine, me), undefined, 'at the launcher\'s nice value');
});

test('code changed since the spare loaded it makes it stale: an edit, its times alone, a file gone, Node replaced', async (t) => {
  const c = await code(t);
  await writeFile(c.file, 'module.exports = 2;\n');
  t.regex(staleness(go(), c.code, STATE, anyLine, me)!, /^stale: .*daemon\.cjs changed since the spare loaded it$/);
  const d = await code(t);
  await utimes(d.file, new Date(0), new Date(0)); // only its times: the change time moves too
  t.regex(staleness(go(), d.code, STATE, anyLine, me)!, /changed since/);
  const e = await code(t);
  await rm(e.file);
  t.regex(staleness(go(), e.code, STATE, anyLine, me)!, /changed since/);
  t.regex(staleness(go(), undefined, STATE, anyLine, me)!, /^stale: its code was not loaded through bin\//);
  const f = await code(t);
  t.regex(staleness(go(), f.code, STATE, anyLine, { ...me, nodeReplaced: true })!, /^stale: .*node changed since the spare started$/);
});

test('a variable that differs makes it stale, but for what a shell, sudo or ssh set for their session', async (t) => {
  const c = await code(t);
  t.is(staleness(go({ env: { ...env, PATH: '/sbin' } }), c.code, STATE, anyLine, me), 'stale: the environment differs (PATH)');
  t.is(staleness(go({ env: { PATH: env.PATH, NODE_OPTIONS: '--inspect' } }), c.code, STATE, anyLine, me), 'stale: the environment differs (MINIPOD_LOG_LEVEL, NODE_OPTIONS)');
  const session = { PWD: '/home/vagrant', OLDPWD: '/', SUDO_COMMAND: '/usr/local/bin/minipod node restart', SHLVL: '2', _: '/usr/local/bin/minipod', MINIPOD_SOCKET: '/n/run/minipod.sock' };
  t.is(staleness(go({ env: { ...env, ...session } }), c.code, STATE, anyLine, { ...me, env: { ...env, SUDO_COMMAND: '/usr/local/bin/minipod node start', SHLVL: '1' } }), undefined);
  t.is(staleness({ ...go(), env: undefined } as unknown as Go, c.code, STATE, anyLine, me), 'stale: no environment given');
});

test("another installation's or Node's launcher, another log file (removed or rotated since), other limits, or no nice value make it stale", async (t) => {
  const c = await code(t);
  t.regex(staleness(go({ cli: '/opt/minipod-2/bin/minipod.js' }), c.code, STATE, anyLine, me)!, /^stale: it runs .* not the launcher's .*\/opt\/minipod-2\/bin\/minipod\.js$/);
  t.regex(staleness(go({ node: '/tmp/node2' }), c.code, STATE, anyLine, me)!, /not the launcher's \/tmp\/node2 /);
  t.is(staleness(go({ limits: 'Max open files 8192 8192 files\n' }), c.code, STATE, anyLine, me), "stale: its resource limits (ulimit) are not the launcher's");
  t.regex(staleness(go({ log: '2049:78' }), c.code, STATE, anyLine, me)!, /^stale: the node's log is another file/);
  t.is(staleness(go({ nice: 'low' as unknown as number }), c.code, STATE, anyLine, me), 'stale: no nice value given');
});

test("a line that is not a daemon's for the spare's own state dir, or that the daemon's parser does not take, is declined", async (t) => {
  const c = await code(t);
  const declined = `stale: the line is not one a daemon of the state dir ${STATE} takes`;
  t.is(staleness(go({ argv: ['daemon', '--state-dir', '/elsewhere'] }), c.code, STATE, anyLine, me), declined);
  t.is(staleness(go({ argv: ['ps', '--state-dir', STATE] }), c.code, STATE, anyLine, me), declined);
  t.is(staleness(go({ argv: 'daemon' as unknown as string[] }), c.code, STATE, anyLine, me), declined);
  t.is(staleness(go(), c.code, STATE, () => false, me), declined);
});

/** Until the spare's socket is there. */
async function listening(socket: string): Promise<void> {
  while (!existsSync(socket)) await new Promise((r) => setTimeout(r, 5));
}

/** One exchange with a spare: what it answers to message. */
function ask(socket: string, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const conn = net.connect(socket, () => conn.write(message));
    conn.setEncoding('utf8').on('data', (d: string) => (text += d)).on('close', () => resolve(text)).on('error', reject);
  });
}

test('on its socket: a go answered ok is what it runs; garbage is answered and it waits on', async (t) => {
  const c = await code(t);
  const socket = path.join(await tmp(t), 'spare.sock');
  const waiting = waitAsSpare(socket, STATE, anyLine, c.code, me);
  await listening(socket);
  t.is(await ask(socket, 'not json\n'), 'bad: not a go message\n');
  t.is(await ask(socket, `${JSON.stringify(go())}\n`), 'ok\n');
  t.deepEqual((await waiting)!.argv, line);
  t.false(existsSync(socket), 'its socket is gone with its listener');
});

test('on its socket: a stale spare answers why and resolves nothing (its process then exits)', async (t) => {
  const c = await code(t);
  const socket = path.join(await tmp(t), 'spare.sock');
  const waiting = waitAsSpare(socket, STATE, anyLine, c.code, me);
  await listening(socket);
  t.is(await ask(socket, `${JSON.stringify(go({ env: { ...env, MINIPOD_FAILPOINTS: 'x' } }))}\n`), 'stale: the environment differs (MINIPOD_FAILPOINTS)\n');
  t.is(await waiting, undefined);
});

test("the daemon's title: the line it runs, cut after the last whole word its command line's room holds", (t) => {
  const argv = ['/usr/bin/node', '/m/bin/minipod.js', 'daemon', '--state-dir', '/n/state', '--run-dir', '/n/run'];
  t.is(titleOf(argv, 200), argv.join(' '));
  t.is(titleOf(argv, 56), '/usr/bin/node /m/bin/minipod.js daemon --state-dir ...');
  t.is(titleOf(argv, 5), '/usr/bin/node ...', 'the program at least');
});
