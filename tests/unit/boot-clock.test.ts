// The boot's clock (lib/boot-clock.ts): each part's end in ms from the line, a failed part noted
// nowhere, and the CPU the process spent meanwhile.
import test from 'ava';
import { BootClock } from '../../lib/boot-clock.js';

const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

test('each part is noted when it is done, in order of time, and its value passes through', async (t) => {
  const clock = new BootClock();
  const [a, b] = await Promise.all([clock.time('slow', after(30).then(() => 'a')), clock.time('quick', Promise.resolve('b'))]);
  t.deepEqual([a, b], ['a', 'b']);
  const { bootMs, phases } = clock.summary();
  t.deepEqual(Object.keys(phases), ['quick', 'slow']);
  t.true(phases.quick! <= phases.slow!);
  t.true(phases.slow! >= 25 && phases.slow! <= bootMs, JSON.stringify({ bootMs, phases }));
});

test('a part that fails is not noted, and its error passes through', async (t) => {
  const clock = new BootClock();
  await t.throwsAsync(clock.time('broken', Promise.reject(new Error('no'))), { message: 'no' });
  t.deepEqual(clock.summary().phases, {});
});

test.serial('cpuMs counts the CPU spent since the clock began, not the time waited', async (t) => {
  const clock = new BootClock();
  await after(100);
  const waited = clock.summary();
  t.true(waited.cpuMs < waited.bootMs, JSON.stringify(waited));
  // Busy for 30 ms of this process's CPU (not of the clock on the wall: a loaded machine lends less).
  const before = process.cpuUsage();
  for (let used = process.cpuUsage(before); used.user + used.system < 30_000; used = process.cpuUsage(before));
  t.true(clock.summary().cpuMs >= waited.cpuMs + 29.8); // each rounded to a tenth
});
