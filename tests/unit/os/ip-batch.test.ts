// The long-lived `ip -batch` framing: each request gets exactly its own failures, in order,
// however requests interleave. Needs the `ip` program, not root (it only reads links).
import test from 'ava';
import { CommandError } from '../../../lib/os/command-error.js';
import { IpBatch } from '../../../lib/os/ip-batch.js';

const ip = new IpBatch('ip');
test.after.always(() => ip.close());

test('a request whose lines succeed has no failures', async (t) => {
  t.deepEqual(await ip.exec(['link show dev lo']), []);
});

test('a failing line is reported with its text and ip\'s message', async (t) => {
  const failures = await ip.exec(['link show dev lo', 'link show dev nosuchlink0', 'link show dev lo']);
  t.is(failures.length, 1);
  t.is(failures[0]!.line, 'link show dev nosuchlink0');
  t.regex(failures[0]!.message, /nosuchlink0/);
});

test('run throws a CommandError naming the failed line, unless tolerated', async (t) => {
  const err = await t.throwsAsync(ip.run(['link show dev nosuchlink1']), { instanceOf: CommandError });
  t.regex(err!.message, /ip link show dev nosuchlink1: .*nosuchlink1/);
  await t.notThrowsAsync(ip.run(['link show dev nosuchlink1'], (f) => /does not exist/.test(f.message)));
});

test('concurrent requests each get their own failures', async (t) => {
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ip.exec(i % 2 ? [`link show dev nolink${i}`] : ['link show dev lo'])));
  results.forEach((failures, i) => t.deepEqual(failures.map((f) => f.line), i % 2 ? [`link show dev nolink${i}`] : []));
});
