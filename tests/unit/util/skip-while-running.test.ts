// A periodic pass that never overlaps itself (lib/util/skip-while-running.ts).
import test from 'ava';
import { skipWhileRunning } from '../../../lib/util/skip-while-running.js';

test('a pass is never run twice at once: a call while one runs is skipped, the next after it runs', async (t) => {
  let starts = 0;
  const gates: (() => void)[] = [];
  const pass = skipWhileRunning(async () => {
    starts++;
    await new Promise<void>((resolve) => gates.push(resolve));
  });
  const first = pass();
  await pass(); // skipped: resolves at once
  t.is(starts, 1);
  gates.shift()!();
  await first;
  const second = pass();
  t.is(starts, 2);
  gates.shift()!();
  await second;
});

test('a pass that fails rejects, and does not stop the next one', async (t) => {
  let starts = 0;
  const pass = skipWhileRunning(async () => {
    if (++starts === 1) throw new Error('boom');
  });
  await t.throwsAsync(pass(), { message: 'boom' });
  await pass();
  t.is(starts, 2);
});
