// stopProcess never waits forever: an adopted process whose exit nobody reports (its pidwatch
// stopped) is looked up in /proc after SIGKILL, and marked exited once it is gone.
import { execa } from 'execa';
import test from 'ava';
import { AdoptedProcess } from '../../../lib/process/adopted.js';
import { startTimeOf } from '../../../lib/process/identity.js';
import { killedGone, killedProcessState, stopProcess } from '../../../lib/process/stop.js';

test('after SIGKILL, a missing pid, a zombie or another start time is gone; anything else is its state', (t) => {
  const fields = (state: string, start: string) => [state, ...Array<string>(18).fill('0'), start];
  t.is(killedProcessState(undefined, '5'), 'gone');
  t.is(killedProcessState(fields('Z', '5'), '5'), 'gone');
  t.is(killedProcessState(fields('X', '5'), '5'), 'gone');
  t.is(killedProcessState(fields('S', '6'), '5'), 'gone', 'its pid is another process now');
  t.is(killedProcessState(fields('D', '5'), '5'), 'D', 'stuck in the kernel: still ours');
  t.is(killedProcessState(fields('R', '9')), 'R', 'a child keeps its pid until reaped: no start time needed');
});

test('an adopted process whose exit is never reported is stopped, found gone and marked exited', async (t) => {
  // A process of a shell that never reaps it: it stays a zombie, as an adopted one does until init reaps it.
  const parent = execa('sh', ['-c', 'sleep 30 & echo $!; exec sleep 60'], { reject: false, buffer: false, stdin: 'ignore' });
  t.teardown(() => void parent.kill('SIGKILL'));
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  const startTime = (await startTimeOf(pid))!;
  const p = new AdoptedProcess(pid, startTime); // no watcher: nothing will ever emit its 'exit'
  const exits: unknown[] = [];
  p.on('exit', (...args) => exits.push(args));
  t.is(await stopProcess(p, 0, 200), 'killed');
  t.true(p.exited);
  t.deepEqual(exits, [[null, null]]);
});

test('killedGone waits out what a cgroup kill signalled: a zombie is gone, a live pid is named with its state', async (t) => {
  const parent = execa('sh', ['-c', 'sleep 30 & echo $!; exec sleep 60'], { reject: false, buffer: false, stdin: 'ignore' });
  t.teardown(() => void parent.kill('SIGKILL'));
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  const waited = killedGone([pid]); // before the signal: it is waited for, not found gone at once
  process.kill(pid, 'SIGKILL'); // its parent never reaps it: a zombie, which has exited
  t.deepEqual(await waited, []);
  t.deepEqual(await killedGone([]), []);
  t.regex((await killedGone([process.pid], 30))[0]!, new RegExp(`^${process.pid} \\(state [RS]\\)$`), 'not killed: still there after the wait, with its state');
});
