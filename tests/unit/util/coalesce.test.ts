// A read shared by callers that ask at once, never staler than the call (lib/util/coalesce.ts).
import test from 'ava';
import { coalesced, skipWhileRunning } from '../../../lib/util/coalesce.js';

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
