// The daemon's "ready" to its launcher (lib/ready-notify.ts), over a real unix socket: the launcher
// hears it, removes its socket when done, and a daemon whose launcher is gone goes on.
import test from 'ava';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { handoffIn } from '../../lib/daemon-guards.js';
import { askHandoff, listenReady, notifyReady } from '../../lib/ready-notify.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'minipod-ready-'));

test('the launcher hears ready, and its socket is gone once it closes', async (t) => {
  const d = dir();
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  const listener = await listenReady(path.join(d, 'notify-1.sock'));
  t.true(existsSync(listener.path));
  notifyReady(listener.path);
  t.is(await listener.ready, 'ready');
  await listener.close();
  t.false(existsSync(listener.path));
});

test('a socket a killed launcher left is replaced; nothing but "ready" counts', async (t) => {
  const d = dir();
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  const first = await listenReady(path.join(d, 'notify-2.sock'));
  const second = await listenReady(first.path); // the first one's file is in the way
  const net = await import('node:net');
  await new Promise<void>((resolve) => net.connect(second.path, function (this: import('node:net').Socket) { this.end('not ready\n', resolve); }));
  const heard = await Promise.race([second.ready, new Promise((r) => setTimeout(r, 100, 'nothing'))]);
  t.is(heard, 'nothing');
  await Promise.all([first.close(), second.close()]);
});

test('no launcher listening: the daemon goes on', async (t) => {
  const d = dir();
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  t.notThrows(() => notifyReady(path.join(d, 'nobody.sock')));
  await new Promise((r) => setTimeout(r, 50)); // the failed connect is logged, not thrown
  t.pass();
});

test('waitReady: the daemon\'s exit or the time running out ends the wait, and the socket goes either way', async (t) => {
  const d = dir();
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  const { waitReady } = await import('../../lib/ready-notify.js');
  const first = await listenReady(path.join(d, 'ready.sock'));
  t.is(await waitReady(first, Promise.resolve(), 10_000), 'exited');
  t.false(existsSync(first.path));
  const second = await listenReady(path.join(d, 'ready.sock'));
  t.is(await waitReady(second, new Promise(() => {}), 20), 'timeout');
  const third = await listenReady(path.join(d, 'ready.sock'));
  notifyReady(third.path);
  t.is(await waitReady(third, new Promise(() => {}), 10_000), 'ready');
});

test('a path too long for a unix socket is refused, saying what to do', async (t) => {
  await t.throwsAsync(listenReady(`/tmp/${'d'.repeat(120)}/ready.sock`), { message: /at most 107 bytes: give the node a shorter directory/ });
});

test('a new daemon asking for the handoff gets what the launcher has once it has it; none without a launcher', async (t) => {
  const d = dir();
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  let give: (text: string) => void = () => {};
  const listener = await listenReady(path.join(d, 'notify-3.sock'), new Promise<string>((resolve) => (give = resolve)));
  const asked = askHandoff(listener.path);
  setTimeout(() => give('{"build":"b","records":{}}'), 20); // the old daemon's answer comes a moment later
  t.is(await asked, '{"build":"b","records":{}}');
  await listener.close();
  const plain = await listenReady(path.join(d, 'notify-4.sock'));
  t.is(await askHandoff(plain.path), '', 'a launcher with nothing to pass on says so');
  await plain.close();
  t.is(await askHandoff(path.join(d, 'nobody.sock')), undefined);
});

test('a launcher that never answers the handoff is given up on', async (t) => {
  const d = dir();
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  const listener = await listenReady(path.join(d, 'notify-5.sock'), new Promise<string>(() => {}));
  t.is(await askHandoff(listener.path, 50), undefined);
  await listener.close();
});

test('a restart\'s handoff is asked only of a socket in the run dir; none there is no handoff, not an error', async (t) => {
  const d = dir();
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'minipod-ready-'));
  t.teardown(() => rmSync(elsewhere, { recursive: true, force: true }));
  const listener = await listenReady(path.join(elsewhere, 'notify-h.sock'), Promise.resolve('{"vouched":1}'));
  t.teardown(() => listener.close());
  t.is(await handoffIn(d, listener.path), undefined, 'a socket outside the run dir is not asked');
  t.is(await handoffIn(d, path.join(d, 'nobody.sock')), undefined, 'no socket');
});
