// A short command that does not finish (stuck, or stopped with SIGSTOP) fails after its deadline
// with an error naming it, and is killed: no caller waits forever.
import test from 'ava';
import { CommandError } from '../../../lib/os/command-error.js';
import { run } from '../../../lib/os/host.js';

test('a command that stops itself is killed at its deadline and the call fails naming it', async (t) => {
  const err = await t.throwsAsync(run(['sh', '-c', 'kill -STOP $$'], { timeoutMs: 300 }), { instanceOf: CommandError });
  t.regex(err!.message, /^sh -c kill -STOP \$\$: Command timed out after 300 milliseconds/);
  t.is(err!.signal, 'SIGKILL');
});

test('a command that finishes in time gives its output', async (t) => {
  t.is(await run(['echo', 'hi'], { timeoutMs: 5000 }), 'hi\n');
});
