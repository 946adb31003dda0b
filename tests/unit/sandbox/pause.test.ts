// A holder that does not answer in time fails the step with an error naming its pid and what it
// did not do, and is killed: no create waits forever. Fake holders (sh, sleep) need no root.
import test from 'ava';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { lineReader, startPause } from '../../../lib/sandbox/pause.js';

const gone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

test('a holder that never says "ns" fails the start and is killed', async (t) => {
  const err = await t.throwsAsync(startPause({ argv: ['sleep', '30'], answerTimeoutMs: 200 }));
  t.regex(err!.message, /^pause holder \d+ did not say "ns" \(its namespaces exist\) within 0\.2s: it is stopped or stuck, killed it$/);
  const pid = Number(/holder (\d+)/.exec(err!.message)![1]);
  await new Promise((r) => setTimeout(r, 100));
  t.true(gone(pid), `holder ${pid} is killed (and reaped)`);
});

test('a holder that never says "ready" fails configure and is killed', async (t) => {
  const holder = await startPause({ argv: ['sh', '-c', 'echo ns; exec sleep 30'], answerTimeoutMs: 200 });
  const err = await t.throwsAsync(holder.configure({ hostname: 'h', address: '10.88.0.2/16', gateway: '10.88.0.1', mac: '02:42:0a:58:00:02' }));
  t.is(err!.message, `pause holder ${holder.pid} did not say "ready" (eth0 is configured) within 0.2s: it is stopped or stuck, killed it`);
  await holder.proc;
  t.is(holder.proc.signalCode, 'SIGKILL');
});

test('a holder that answers in time is used', async (t) => {
  const holder = await startPause({ argv: ['sh', '-c', 'echo ns; read line; echo ready; exec sleep 30'], answerTimeoutMs: 5000 });
  t.teardown(() => void holder.proc.kill('SIGKILL'));
  await holder.configure({ hostname: 'h', address: '10.88.0.2/16', gateway: '10.88.0.1', mac: '02:42:0a:58:00:02' });
  t.is(holder.proc.exitCode, null);
});

test('lineReader gives the holder\'s lines in order, queued or awaited, then done once it closes', async (t) => {
  const input = new PassThrough();
  const lines = lineReader(createInterface({ input }));
  input.write('ns\nready\n');
  const waiting = [lines.next(), lines.next(), lines.next()];
  await new Promise((r) => setImmediate(r));
  input.end('bound\n');
  t.deepEqual(await Promise.all(waiting), [{ done: false, value: 'ns' }, { done: false, value: 'ready' }, { done: false, value: 'bound' }]);
  t.deepEqual(await lines.next(), { done: true, value: undefined });
});
