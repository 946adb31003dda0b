// A short command through `run` (lib/os/command.ts): one that does not finish (stuck, or stopped
// with SIGSTOP) fails after its deadline with an error naming it, and is killed: no caller waits
// forever. Its input, output and failures as a caller sees them.
import test from 'ava';
import { CommandError } from '../../../lib/os/command-error.js';
import { run } from '../../../lib/os/host.js';

test('a command that stops itself is killed at its deadline and the call fails naming it', async (t) => {
  const err = await t.throwsAsync(run(['sh', '-c', 'kill -STOP $$'], { timeoutMs: 300 }), { instanceOf: CommandError });
  t.is(err!.message, 'sh -c kill -STOP $$: did not finish within 300 ms: killed with SIGKILL');
  t.is(err!.signal, 'SIGKILL');
});

test('a command that finishes in time gives its output', async (t) => {
  t.is(await run(['echo', 'hi'], { timeoutMs: 5000 }), 'hi\n');
});

test('input goes to its stdin; a failure says what it wrote on stderr, else how it ended', async (t) => {
  t.is(await run(['cat'], { input: 'a\nb\n' }), 'a\nb\n');
  t.like(await t.throwsAsync(run(['sh', '-c', 'echo "no such table" >&2; echo two >&2; exit 1'])), { message: 'sh -c echo "no such table" >&2; echo two >&2; exit 1: no such table; two', exitCode: 1 });
  t.like(await t.throwsAsync(run(['sh', '-c', 'exit 4'])), { message: 'sh -c exit 4: exited with code 4', exitCode: 4 });
  t.like(await t.throwsAsync(run(['/no/such/program'])), { message: '/no/such/program: could not start: ENOENT', exitCode: undefined });
});

test('a command that exits without reading its input is judged by its exit, not the broken pipe', async (t) => {
  t.is(await run(['true'], { input: 'x'.repeat(1 << 20) }), '');
});
