// A process we did not spawn is watched through the pidwatch helper: its death is reported as an
// 'exit' event with the signal or code when its zombie could still be read, as (null, null) when
// it is gone or is another process now, and the helper is restarted should it die.
//
// To be able to read a wait status, pidwatch needs the process to stay a zombie for a while, so
// the processes under watch here are children of a shell that never reaps them (it has exec'd a
// sleep); a direct child of ours would usually be reaped by Node first, and be reported as unknown.
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { hasExited, onExit } from '../../../lib/process/exit.js';
import { startTimeOf } from '../../../lib/process/identity.js';
import { PIDWATCH_PATH, resolveTools } from '../../../lib/os/tools.js';
import { PidWatcher, type AdoptedProcess } from '../../../lib/process/watcher.js';
import { alive, childrenOf } from '../../helpers/node.js';
import { waitFor } from '../../helpers/wait.js';

test.before(() => resolveTools()); // the real pidwatch, found as the daemon finds it

const WAIT_MS = 10_000;

type Exit = [code: number | null, signal: NodeJS.Signals | null];

/** Wait for promise, but fail with what we were waiting for after WAIT_MS instead of hanging. */
function within<T>(t: ExecutionContext, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_MS / 1000}s waiting for ${what}`)), WAIT_MS);
  });
  t.teardown(() => clearTimeout(timer));
  const result = Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  // Often awaited only later: a test that fails before then must not also leave an unhandled rejection.
  result.catch(() => undefined);
  return result;
}

/** The next 'exit' of p, as (code, signal). */
function exitOf(t: ExecutionContext, p: AdoptedProcess, what: string): Promise<Exit> {
  return within(t, once(p, 'exit') as Promise<Exit>, `'exit' from ${what} (pid ${p.pid})`);
}

function kill(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}


function newWatcher(t: ExecutionContext): PidWatcher {
  const watcher = new PidWatcher();
  t.teardown(() => watcher.close());
  return watcher;
}

/**
 * Start `script` in the background of a shell that then never reaps it, and return its pid.
 * Teardown kills the background process before its parent: while the parent lives, that pid
 * cannot have been reused by an unrelated process.
 */
async function unreapedChild(t: ExecutionContext, script: string): Promise<number> {
  const parent = execa('sh', ['-c', `${script} & echo $!; exec sleep 60`], { reject: false, buffer: false, stdin: 'ignore' });
  let pid: number | undefined;
  t.teardown(() => {
    if (pid) kill(pid);
    parent.kill('SIGKILL');
  });
  const lines = createInterface({ input: parent.stdout! });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    parent.then(() => {
      throw new Error(`sh exited before printing the background pid of: ${script}`);
    }),
  ]);
  lines.close();
  pid = Number(first);
  return pid;
}

/** A live process of ours to adopt, and its start time. */
async function adoptable(t: ExecutionContext, script = 'sleep 30'): Promise<{ pid: number; startTime: string }> {
  const pid = await unreapedChild(t, script);
  const startTime = await startTimeOf(pid);
  if (!startTime) throw new Error(`pid ${pid} (${script}) exited before it could be adopted`);
  return { pid, startTime };
}

/** The pidwatch helpers this test process has spawned (found through /proc: the watcher keeps its own private). */
async function pidwatchHelpers(): Promise<number[]> {
  return (await childrenOf(process.pid)).filter((p) => p.cmd === PIDWATCH_PATH).map((p) => p.pid);
}

/**
 * Wait until a pidwatch helper holds a pidfd for pid. A request has no reply, and a process that
 * dies before pidwatch opens its pidfd is (rightly) reported as gone: kill it only after this.
 */
function watching(pid: number, helper?: number): Promise<true> {
  return waitFor(
    async () => {
      for (const h of helper ? [helper] : await pidwatchHelpers()) {
        for (const fd of await readdir(`/proc/${h}/fdinfo`).catch(() => [])) {
          const info = await readFile(`/proc/${h}/fdinfo/${fd}`, 'utf8').catch(() => '');
          if (new RegExp(`^Pid:\\s+${pid}$`, 'm').test(info)) return true;
        }
      }
      return false;
    },
    `pidwatch${helper ? ` ${helper}` : ''} to hold a pidfd for ${pid}`,
    WAIT_MS,
  );
}

/** Wait for a pidwatch helper that is not one of `known`. */
function newHelper(known: number[], what: string): Promise<number> {
  return waitFor(async () => (await pidwatchHelpers()).find((pid) => !known.includes(pid)), what, WAIT_MS);
}

test.serial('a killed process is reported with its signal', async (t) => {
  const { pid, startTime } = await adoptable(t);
  const p = newWatcher(t).adopt(pid, startTime);
  const exit = exitOf(t, p, 'the killed sleep');
  await watching(pid);
  kill(pid);
  t.deepEqual(await exit, [null, 'SIGKILL']);
  t.true(p.exited);
  t.is(p.signalCode, 'SIGKILL');
  t.is(p.exitCode, null);
  t.true(hasExited(p));
});

test.serial('a process that exits on its own is reported with its exit code', async (t) => {
  // USR1 makes it exit 7 once we are watching; the trap runs a plain `exit 7`, so the status is a code, not a signal.
  const { pid, startTime } = await adoptable(t, '(trap "exit 7" USR1; while :; do sleep 0.05; done)');
  const p = newWatcher(t).adopt(pid, startTime);
  const exit = exitOf(t, p, 'the subshell that exits 7');
  await watching(pid);
  kill(pid, 'SIGUSR1');
  t.deepEqual(await exit, [7, null]);
  t.true(p.exited);
  t.is(p.exitCode, 7);
  t.is(p.signalCode, null);
});

test.serial('a pid with another start time (a reused pid) is reported gone at once and left alone', async (t) => {
  const { pid } = await adoptable(t);
  const p = newWatcher(t).adopt(pid, '1');
  t.deepEqual(await exitOf(t, p, 'the process adopted with a wrong start time'), [null, null]);
  t.true(p.exited);
  t.true(hasExited(p));
  t.true(await alive(pid), 'the watcher never signals a process');
});

test.serial('our process that already exited (an unreaped zombie) is reported with its status, not as gone', async (t) => {
  const pid = await unreapedChild(t, 'sleep 30');
  const startTime = (await startTimeOf(pid))!;
  kill(pid);
  await waitFor(async () => !(await alive(pid)), `pid ${pid} to be a zombie`, WAIT_MS);
  const p = newWatcher(t).adopt(pid, startTime);
  t.deepEqual(await exitOf(t, p, 'the zombie'), [null, 'SIGKILL']);
});

test.serial('adopting the same process twice gives the same AdoptedProcess', async (t) => {
  const pid = await unreapedChild(t, 'sleep 30');
  const startTime = (await startTimeOf(pid))!;
  const watcher = newWatcher(t);
  const a = watcher.adopt(pid, startTime);
  t.is(watcher.adopt(pid, startTime), a);
  const exit = exitOf(t, a, 'the process');
  await watching(pid);
  kill(pid);
  t.deepEqual(await exit, [null, 'SIGKILL']);
});

test.serial('a closed watcher refuses to adopt', (t) => {
  const watcher = new PidWatcher();
  watcher.close();
  t.throws(() => watcher.adopt(process.pid, '1'), { message: /the watcher is closed/ });
});

test.serial('a pid that does not exist is reported gone', async (t) => {
  const p = newWatcher(t).adopt(2 ** 22 + 1, '12345');
  t.deepEqual(await exitOf(t, p, 'a pid above any pid_max'), [null, null]);
  t.true(p.exited);
  t.is(p.exitCode, null);
  t.is(p.signalCode, null);
});

test.serial('onExit on a process that has already exited calls its handler once', async (t) => {
  const p = newWatcher(t).adopt(2 ** 22 + 1, '12345');
  await exitOf(t, p, 'a pid above any pid_max');
  const calls: Exit[] = [];
  const called = new Promise<void>((resolve) =>
    onExit(p, (...args) => {
      calls.push(args);
      resolve();
    }),
  );
  await within(t, called, 'onExit to call its handler');
  t.deepEqual(calls, [[null, null]]);
  t.is(p.listenerCount('exit'), 0, 'nothing is left listening that could call it a second time');
});

test.serial('onExit on a process that exits later calls its handler once', async (t) => {
  const { pid, startTime } = await adoptable(t);
  const p = newWatcher(t).adopt(pid, startTime);
  const calls: Exit[] = [];
  onExit(p, (...args) => calls.push(args));
  const exit = exitOf(t, p, 'the killed sleep');
  await watching(pid);
  kill(pid);
  await exit;
  p.emit('exit', 1, null); // a second report of the same death must not reach the handler
  t.deepEqual(calls, [[null, 'SIGKILL']]);
});

test.serial('a pidwatch helper that dies is restarted and the watch goes on', async (t) => {
  const before = await pidwatchHelpers();
  const { pid, startTime } = await adoptable(t);
  const p = newWatcher(t).adopt(pid, startTime);
  const exit = exitOf(t, p, 'the sleep watched across a helper restart');
  const first = await newHelper(before, 'the first pidwatch helper');
  kill(first);
  const second = await newHelper([...before, first], 'a new pidwatch helper after the first was killed');
  await watching(pid, second);
  kill(pid);
  t.deepEqual(await exit, [null, 'SIGKILL']);
});

test.serial('close() ends the pidwatch helper', async (t) => {
  const before = await pidwatchHelpers();
  const { pid, startTime } = await adoptable(t);
  const watcher = newWatcher(t);
  watcher.adopt(pid, startTime);
  const helper = await newHelper(before, 'the pidwatch helper');
  watcher.close();
  await waitFor(async () => !(await pidwatchHelpers()).includes(helper), `pidwatch ${helper} to exit once its stdin is closed`, WAIT_MS);
  t.pass();
});

/** The helpers running `argv` that this test process has spawned. */
async function helpersRunning(cmd: string): Promise<number[]> {
  return (await childrenOf(process.pid)).filter((p) => p.cmd === cmd && alive(p.pid)).map((p) => p.pid);
}

test.serial('a helper that answers no ping is killed and replaced; a death meanwhile is found through /proc', async (t) => {
  // A fake pidwatch: alive, reads nothing, answers nothing (what a stopped one looks like).
  const fake = ['sleep', '987'];
  const before = await helpersRunning(fake.join(' '));
  const { pid, startTime } = await adoptable(t);
  const watcher = new PidWatcher({ argv: fake, pingEveryMs: 50, pongWithinPings: 6 }); // each fake lives ~300 ms: long enough for a /proc scan on a busy machine to see it
  t.teardown(() => watcher.close());
  const p = watcher.adopt(pid, startTime);
  const exit = exitOf(t, p, 'the sleep watched by a helper that never answers');
  const first = await waitFor(async () => (await helpersRunning(fake.join(' '))).find((h) => !before.includes(h)), 'the fake helper', WAIT_MS);
  await waitFor(async () => !alive(first), `the fake helper ${first} to be killed for answering no ping`, WAIT_MS);
  await waitFor(async () => (await helpersRunning(fake.join(' '))).find((h) => h !== first && !before.includes(h)), 'a new fake helper', WAIT_MS);
  kill(pid);
  t.deepEqual(await exit, [null, null], 'how it ended is unknown: it was found gone in /proc');
  t.true(p.exited);
});

test.serial('a stopped pidwatch is replaced and the death it hid is reported', async (t) => {
  const before = await pidwatchHelpers();
  const { pid, startTime } = await adoptable(t);
  const watcher = new PidWatcher({ pingEveryMs: 50, pongWithinPings: 6 });
  t.teardown(() => watcher.close());
  const p = watcher.adopt(pid, startTime);
  // A second one, still alive when the death is reported (by polling, should that come first):
  // a new pidwatch is needed for it.
  const still = await adoptable(t);
  watcher.adopt(still.pid, still.startTime);
  const exit = exitOf(t, p, 'the sleep whose pidwatch was stopped');
  const first = await newHelper(before, 'the first pidwatch helper');
  await watching(pid, first);
  await watching(still.pid, first);
  kill(first, 'SIGSTOP');
  t.teardown(() => kill(first));
  kill(pid);
  const [code, signal] = await exit;
  t.true(code === null && (signal === null || signal === 'SIGKILL'), `reported as ${code}/${signal}`);
  await waitFor(async () => !alive(first), `the stopped pidwatch ${first} to be killed`, WAIT_MS);
  await newHelper([...before, first], 'a new pidwatch helper');
});

test.serial('a pidwatch that answers its pings is kept', async (t) => {
  const before = await pidwatchHelpers();
  const { pid, startTime } = await adoptable(t);
  const watcher = new PidWatcher({ pingEveryMs: 50, pongWithinPings: 20 }); // room for a busy machine
  t.teardown(() => watcher.close());
  watcher.adopt(pid, startTime);
  const helper = await newHelper(before, 'the pidwatch helper');
  await watching(pid, helper);
  await new Promise((r) => setTimeout(r, 1000)); // some 20 pings
  t.true(alive(helper), 'still the same helper');
  t.deepEqual((await pidwatchHelpers()).filter((h) => !before.includes(h)), [helper], 'and no other');
});
