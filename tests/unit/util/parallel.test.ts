import test from 'ava';
import { forEachAtMost } from '../../../lib/util/parallel.js';

test('every item once, started in order, never more than the limit under way', async (t) => {
  const started: number[] = [];
  let running = 0;
  let most = 0;
  await forEachAtMost([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    started.push(n);
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, (n % 3) * 5));
    running--;
  });
  t.deepEqual(started, [1, 2, 3, 4, 5, 6, 7]);
  t.is(most, 3);
});

test('no items: done at once; a failure rejects', async (t) => {
  await forEachAtMost([], 4, async () => t.fail());
  await t.throwsAsync(forEachAtMost([1, 2], 2, async (n) => (n === 2 ? Promise.reject(new Error('two')) : undefined)), { message: 'two' });
});
