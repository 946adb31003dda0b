// waitUntil: the first truthy value of check, or undefined once the deadline has passed.
import test from 'ava';
import { waitAtMost, waitUntil } from '../../../lib/util/wait.js';

test('waitUntil gives the first truthy value check returns, and stops calling it', async (t) => {
  let calls = 0;
  const value = await waitUntil(async () => (++calls === 3 ? 'ready' : undefined), { timeoutMs: 10_000, everyMs: 1 });
  t.is(value, 'ready');
  t.is(calls, 3);
});

test('waitUntil gives undefined after the deadline, having checked at least once more than the first time', async (t) => {
  let calls = 0;
  const value = await waitUntil(() => {
    calls++;
    return false;
  }, { timeoutMs: 30, everyMs: 5 });
  t.is(value, undefined);
  t.true(calls >= 2, `${calls} calls`);
});

test('waitUntil checks once even with no time at all', async (t) => {
  t.is(await waitUntil(() => 7, { timeoutMs: 0, everyMs: 5 }), 7);
});

test('waitAtMost waits for the promise, or the time, whichever comes first; a rejection is not its caller\'s', async (t) => {
  let resolved = false;
  await waitAtMost(new Promise<void>((r) => setTimeout(() => r(void (resolved = true)), 10)), 600_000); // the promise first: else the test times out
  t.true(resolved);
  let never = false;
  await waitAtMost(new Promise(() => void (never = true)), 20); // the time first: it never settles
  t.true(never);
  await t.notThrowsAsync(waitAtMost(Promise.reject(new Error('no')), 600_000));
});
