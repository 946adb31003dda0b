// A read shared by callers that ask at once, never staler than the call (lib/util/coalesce.ts).
import test from 'ava';
import { coalesced } from '../../../lib/util/coalesce.js';

/** A read that counts its starts and ends only when told. */
function gatedRead() {
  let starts = 0;
  const gates: (() => void)[] = [];
  const read = coalesced(async () => {
    const n = ++starts;
    await new Promise<void>((resolve) => gates.push(resolve));
    return n;
  });
  return { read, starts: () => starts, open: () => gates.shift()!() };
}

test('alone: one read each', async (t) => {
  const g = gatedRead();
  const a = g.read();
  g.open();
  t.is(await a, 1);
  const b = g.read();
  await Promise.resolve();
  g.open();
  t.is(await b, 2);
});

test('who asks while a read runs gets the next one, started after it asked, shared with the others', async (t) => {
  const g = gatedRead();
  const first = g.read();
  const [x, y] = [g.read(), g.read()];
  t.is(g.starts(), 1, 'no second read while the first runs');
  g.open();
  t.is(await first, 1);
  await new Promise((r) => setImmediate(r));
  t.is(g.starts(), 2, 'then one read for both');
  g.open();
  t.deepEqual(await Promise.all([x, y]), [2, 2]);
});

test('a failed read fails its callers only; the next callers get a read of their own', async (t) => {
  let fail = true;
  const read = coalesced(async () => {
    if (fail) throw new Error('no /proc');
    return 'ok';
  });
  await t.throwsAsync(read(), { message: 'no /proc' });
  fail = false;
  t.is(await read(), 'ok');
});
