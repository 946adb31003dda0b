// The real host's /proc reads (lib/os/linux.ts), on this test's own process (no root needed): a
// process's own fields are read at once but answered on the event loop's next turn, so a chain of
// them lets I/O in between; a missing file or process is undefined, never a rejection.
import test from 'ava';
import { linuxHost } from '../../../lib/os/linux.js';

test('readProc and procLink answer asynchronously, whichever way they read', async (t) => {
  for (const read of [() => linuxHost.readProc('self', 'stat'), () => linuxHost.readProc('self', 'cgroup'), () => linuxHost.procLink('self', 'ns/net'), () => linuxHost.procLink('self', 'exe')]) {
    let answered = false;
    const p = read().then((v) => ((answered = true), v));
    await Promise.resolve();
    await Promise.resolve();
    t.false(answered, 'not before the loop turns');
    t.truthy(await p);
  }
});

test('the next turn comes after I/O already waiting: a chain of reads lets a timer in between', async (t) => {
  const order: string[] = [];
  setTimeout(() => order.push('timer'), 0);
  await new Promise((resolve) => setTimeout(resolve, 5)); // the timer is due
  const chain = (async () => {
    for (let i = 0; i < 3; i++) await linuxHost.readProc('self', 'stat');
    order.push('reads');
  })();
  await chain;
  t.deepEqual(order, ['timer', 'reads']);
});

test('a process or file that is not there is undefined', async (t) => {
  t.is(await linuxHost.readProc(2 ** 22 + 1, 'stat'), undefined);
  t.is(await linuxHost.procLink(2 ** 22 + 1, 'ns/net'), undefined);
  t.is(await linuxHost.readProc('self', 'no-such-file'), undefined);
});
