// lib/os/command.ts beyond what run.test.ts checks through `run`: a short command's deadline holds
// even when a grandchild keeps its pipes, a spawn Node refuses is a failed result, and an attached
// command gets the signals we get (not on a terminal, where the terminal sends them itself). Real
// processes, no root.
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { execa } from 'execa';
import { runCommand } from '../../../lib/os/command.js';

test('the deadline holds when a grandchild keeps the pipes open: failed, timed out, at once', async (t) => {
  const started = performance.now();
  const r = await runCommand('sh', ['-c', 'sleep 5 & echo hi'], { timeoutMs: 300 });
  t.true(performance.now() - started < 3000, 'not held until the grandchild ends');
  t.like(r, { timedOut: true, failed: true, message: 'did not finish within 300 ms: killed with SIGKILL' });
});

test('a command that prints more than its limit is killed and fails, saying so', async (t) => {
  const r = await runCommand('yes', [], { timeoutMs: 5000, maxOutputBytes: 64 * 1024 });
  t.like(r, { failed: true, outputTooLarge: true, timedOut: false, message: `printed more than ${64 * 1024} bytes: killed with SIGKILL` });
  t.true(r.stdout.length <= 64 * 1024);
});

test('a spawn Node refuses before any process (a NUL byte in an argument) is a failed result, not a throw', async (t) => {
  const r = await runCommand('echo', ['a\0b'], { timeoutMs: 1000 });
  t.like(r, { failed: true, exitCode: undefined });
  t.regex(r.message ?? '', /^could not start: /);
});

test('a program that does not exist: failed, saying it could not start', async (t) => {
  t.like(await runCommand('/no/such/program', [], { timeoutMs: 1000 }), { failed: true, message: 'could not start: ENOENT' });
});

test('an attached command is passed the SIGINT we get (no terminal), and we wait for its end and give its code', async (t) => {
  const command = fileURLToPath(new URL('../../../lib/os/command.js', import.meta.url));
  // The command ends itself after 10 s should the signal never come: nothing outlives a failed test.
  const script = `const { runAttachedCommand } = await import(${JSON.stringify(command)});
const app = "process.on('SIGINT', () => { console.log('got INT'); process.exit(7); }); console.log('ready'); setTimeout(() => process.exit(1), 10000);";
process.exit(await runAttachedCommand(process.execPath, ['-e', app]));`;
  const proc = execa(process.execPath, ['--input-type=module', '-'], { input: script, reject: false, timeout: 20_000 });
  let out = '';
  const interrupt = (d: Buffer) => {
    out += d;
    if (!out.includes('ready')) return;
    proc.stdout!.off('data', interrupt); // once: a second SIGINT could reach us after the command ended
    proc.kill('SIGINT');
  };
  proc.stdout!.on('data', interrupt);
  const r = await proc;
  t.is(r.exitCode, 7);
  t.is(r.stdout, 'ready\ngot INT');
});
