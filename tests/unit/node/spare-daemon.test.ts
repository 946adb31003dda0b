// The spare daemon's side of the handoff (lib/node/spare-daemon.ts): when it may run the line it is
// sent (its code and environment those of a daemon started now), and the exchange on its socket.
// The launcher's side needs a node (tests/integration/live-restore.test.ts).
import { existsSync } from 'node:fs';
import net from 'node:net';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { stampOf, staleness, titleOf, waitAsSpare, type Go } from '../../../lib/node/spare-daemon.js';

const STATE = '/var/lib/minipod-node/state';
const line = ['daemon', '--state-dir', STATE, '--run-dir', '/var/lib/minipod-node/run'];
const env = { PATH: '/usr/bin:/bin', MINIPOD_LOG_LEVEL: 'info' };
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

test('a spare whose code and environment are a new daemon\'s runs the line', async (t) => {
  const c = await code(t);
  t.is(staleness({ argv: line, env }, c.code, STATE, anyLine, env), undefined);
});

test('code changed since the spare loaded it makes it stale: an edit, its times alone, a file gone', async (t) => {
  const c = await code(t);
  await writeFile(c.file, 'module.exports = 2;\n');
  t.regex(staleness({ argv: line, env }, c.code, STATE, anyLine, env)!, /^stale: .*daemon\.cjs changed since the spare loaded it$/);
  const d = await code(t);
  await utimes(d.file, new Date(0), new Date(0)); // only its times: the change time moves too
  t.regex(staleness({ argv: line, env }, d.code, STATE, anyLine, env)!, /changed since/);
  const e = await code(t);
  await rm(e.file);
  t.regex(staleness({ argv: line, env }, e.code, STATE, anyLine, env)!, /changed since/);
  t.regex(staleness({ argv: line, env }, undefined, STATE, anyLine, env)!, /^stale: its code was not loaded through bin\/require-cached\.js/);
});

test('a variable that differs makes it stale, but for what a shell, sudo or ssh set for their session', async (t) => {
  const c = await code(t);
  t.is(staleness({ argv: line, env: { ...env, PATH: '/sbin' } }, c.code, STATE, anyLine, env), 'stale: the environment differs (PATH)');
  t.is(staleness({ argv: line, env: { PATH: env.PATH, NODE_OPTIONS: '--inspect' } }, c.code, STATE, anyLine, env), 'stale: the environment differs (MINIPOD_LOG_LEVEL, NODE_OPTIONS)');
  const session = { PWD: '/home/vagrant', OLDPWD: '/', SUDO_COMMAND: '/usr/local/bin/minipod node restart', SHLVL: '2', _: '/usr/local/bin/minipod' };
  t.is(staleness({ argv: line, env: { ...env, ...session } }, c.code, STATE, anyLine, { ...env, SUDO_COMMAND: '/usr/local/bin/minipod node start', SHLVL: '1' }), undefined);
  t.is(staleness({ argv: line } as Go, c.code, STATE, anyLine, env), 'stale: no environment given');
});

test("a line that is not a daemon's for the spare's own state dir, or that the daemon's parser does not take, is declined", async (t) => {
  const c = await code(t);
  const declined = `stale: the line is not one a daemon of the state dir ${STATE} takes`;
  t.is(staleness({ argv: ['daemon', '--state-dir', '/elsewhere'], env }, c.code, STATE, anyLine, env), declined);
  t.is(staleness({ argv: ['ps', '--state-dir', STATE], env }, c.code, STATE, anyLine, env), declined);
  t.is(staleness({ argv: 'daemon' as unknown as string[], env }, c.code, STATE, anyLine, env), declined);
  t.is(staleness({ argv: line, env }, c.code, STATE, () => false, env), declined);
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
  const waiting = waitAsSpare(socket, STATE, anyLine, c.code);
  await listening(socket);
  t.is(await ask(socket, 'not json\n'), 'bad: not a go message\n');
  t.is(await ask(socket, `${JSON.stringify({ argv: line, env: process.env })}\n`), 'ok\n');
  t.deepEqual((await waiting)!.argv, line);
});

test('on its socket: a stale spare answers why and resolves nothing (its process then exits)', async (t) => {
  const c = await code(t);
  const socket = path.join(await tmp(t), 'spare.sock');
  const waiting = waitAsSpare(socket, STATE, anyLine, c.code);
  await listening(socket);
  t.is(await ask(socket, `${JSON.stringify({ argv: line, env: { ...process.env, MINIPOD_FAILPOINTS: 'x' } })}\n`), 'stale: the environment differs (MINIPOD_FAILPOINTS)\n');
  t.is(await waiting, undefined);
});

test("the daemon's title: the line it runs, cut after the last whole word its command line's room holds", (t) => {
  const argv = ['/usr/bin/node', '/m/bin/minipod.js', 'daemon', '--state-dir', '/n/state', '--run-dir', '/n/run'];
  t.is(titleOf(argv, 200), argv.join(' '));
  t.is(titleOf(argv, 56), '/usr/bin/node /m/bin/minipod.js daemon --state-dir ...');
  t.is(titleOf(argv, 5), '/usr/bin/node ...', 'the program at least');
});
