// A process's identity is its pid and its start time: our own process is recognised, a wrong
// start time or a pid that does not exist is not.
import test from 'ava';
import { isSameProcess, startTimeOf } from '../../../lib/process/identity.js';

test('startTimeOf reads field 22 of /proc/PID/stat, stable for a process', async (t) => {
  const a = await startTimeOf(process.pid);
  t.regex(a ?? '', /^\d+$/);
  t.is(await startTimeOf(process.pid), a);
});

test('isSameProcess needs both the pid and the start time to match', async (t) => {
  const mine = await startTimeOf(process.pid);
  t.true(await isSameProcess(process.pid, mine));
  t.false(await isSameProcess(process.pid, `${Number(mine) + 1}`), 'a reused pid has another start time');
  t.false(await isSameProcess(process.pid, null), 'no recorded start time: never assume');
  t.false(await isSameProcess(2 ** 22 + 1, mine), 'no such pid');
});
