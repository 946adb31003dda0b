// The long-lived child (lib/os/child.ts): awaiting it gives its exit and never rejects, its own
// process group, and a write to one that died is no crash. Real processes, no root.
import test from 'ava';
import { once } from 'node:events';
import { spawnChild } from '../../../lib/os/child.js';

test('an exit: its code, failed when not 0', async (t) => {
  t.like(await spawnChild('sh', ['-c', 'exit 0'], { stdio: ['ignore', 'ignore', 'ignore'] }), { exitCode: 0, signal: undefined, failed: false });
  const r = await spawnChild('sh', ['-c', 'exit 3'], { stdio: ['ignore', 'ignore', 'ignore'] });
  t.like(r, { exitCode: 3, failed: true });
  t.regex(r.message ?? '', /exited with code 3/);
});

test('a signal: no code, the signal, failed; the exit event and exitCode/signalCode as a ChildProcess has them', async (t) => {
  const proc = spawnChild('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore'] });
  const exit = once(proc, 'exit');
  proc.kill('SIGTERM');
  t.like(await proc, { exitCode: undefined, signal: 'SIGTERM', failed: true });
  t.deepEqual(await exit, [null, 'SIGTERM']);
  t.is(proc.signalCode, 'SIGTERM');
});

test('a program that does not exist: resolved (not rejected) as failed, with why; no pid', async (t) => {
  const proc = spawnChild('/no/such/program', [], { stdio: ['ignore', 'ignore', 'ignore'] });
  const r = await proc;
  t.is(proc.pid, undefined);
  t.true(r.failed);
  t.regex(r.message ?? '', /ENOENT/);
});

test('its own process group (detached), and env and cwd as given', async (t) => {
  const proc = spawnChild('sh', ['-c', 'echo "$(ps -o pgid= -p $$) $FOO $(pwd)"'], { stdio: ['ignore', 'pipe', 'ignore'], env: { FOO: 'bar', PATH: process.env.PATH ?? '' }, cwd: '/tmp' });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d));
  await proc;
  t.is(out.trim(), `${proc.pid} bar /tmp`);
});

test('writing to one that died is no crash (EPIPE is swallowed; its exit is what counts)', async (t) => {
  const proc = spawnChild('true', [], { stdio: ['pipe', 'ignore', 'ignore'] });
  await proc;
  proc.stdin!.write('x'.repeat(1 << 20));
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.pass();
});
