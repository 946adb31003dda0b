// What `minipod run` calls a failure while it waits: the pure check behind waitReady.
import test from 'ava';
import { failedContainer } from '../../../lib/api/client.js';
import type { ContainerStatus, PodRecord, Termination } from '../../../lib/pod/types.js';

const ended = (t: Partial<Termination>): Termination => ({ exitCode: 1, signal: null, reason: 'Error', startedAt: null, finishedAt: '', ...t });

function pod(restartPolicy: string, c: Partial<ContainerStatus>): PodRecord {
  const container = { name: 'a', state: 'Running', reason: null, ready: true, restartCount: 0, exitCode: null, signal: null, lastState: null, ...c } as ContainerStatus;
  return { name: 'p', containers: [container], manifest: { spec: { restartPolicy } } } as unknown as PodRecord;
}
const atCreate = new Map([['a', 0]]);

test('a container that failed and was restarted since the create is a failure, with its exit code', (t) => {
  t.deepEqual(failedContainer(pod('Always', { restartCount: 1, lastState: ended({ exitCode: 1 }) }), atCreate), { name: 'a', how: 'exited (code 1) and was restarted (1 time since it was created)' });
  t.deepEqual(failedContainer(pod('OnFailure', { restartCount: 2, lastState: ended({ exitCode: null, signal: 'SIGSEGV' }) }), atCreate), { name: 'a', how: 'exited (SIGSEGV) and was restarted (2 times since it was created)' });
});

test('a container the OOM killer ended is a failure that says so', (t) => {
  t.deepEqual(failedContainer(pod('Always', { restartCount: 1, lastState: ended({ exitCode: 137, signal: 'SIGKILL', reason: 'OOMKilled' }) }), atCreate), { name: 'a', how: 'exited (OOMKilled: over its memory limit, code 137) and was restarted (1 time since it was created)' });
  t.deepEqual(failedContainer(pod('Never', { state: 'Terminated', reason: 'OOMKilled', ready: false, exitCode: 137 })), { name: 'a', how: 'exited (OOMKilled: over its memory limit, code 137)' });
});

test('a restart that is not a failure (exit 0, a new sandbox) is not one', (t) => {
  t.is(failedContainer(pod('Always', { restartCount: 1, lastState: ended({ exitCode: 0, reason: 'Completed' }) }), atCreate), undefined);
  t.is(failedContainer(pod('Always', { restartCount: 1, lastState: ended({ exitCode: null, signal: 'SIGTERM', reason: 'SandboxChanged' }) }), atCreate), undefined);
});

test('without the counts at creation, restarts before the wait are not held against the pod', (t) => {
  t.is(failedContainer(pod('Always', { restartCount: 3, lastState: ended({ exitCode: 1 }) })), undefined);
});

test('crash-looping, or failed for good under Never, is a failure; a running one is not', (t) => {
  t.deepEqual(failedContainer(pod('Always', { state: 'Waiting', reason: 'CrashLoopBackOff', ready: false, restartCount: 1, lastState: ended({ exitCode: 3 }) })), { name: 'a', how: 'is crash-looping (last exit code 3)' });
  t.deepEqual(failedContainer(pod('Never', { state: 'Terminated', reason: 'Error', ready: false, exitCode: 1 })), { name: 'a', how: 'exited (code 1)' });
  t.is(failedContainer(pod('Never', { state: 'Terminated', reason: 'Completed', ready: false, exitCode: 0 })), undefined);
  t.is(failedContainer(pod('Always', {}), atCreate), undefined);
});

/**
 * issue 12's race: the daemon observed the container running 10 ms after it started (its exit not
 * yet recorded), and the answer came late. Judged when the answer arrived, it passed for settled
 * (`pod/t Running`, exit 0); judged from when it was asked, the wait goes on and sees the failure.
 */
test('a record observed early but answered late is not taken for settled: the next one shows the failure', async (t) => {
  const { ApiClient } = await import('../../../lib/api/client.js');
  const answers: PodRecord[] = [];
  class SlowApi extends ApiClient {
    override async request<T>(): Promise<T> {
      const startedAt = new Date(Date.now() - 10).toISOString();
      if (!answers.length) {
        answers.push(pod('Never', { startedAt }));
        await new Promise((r) => setTimeout(r, 700)); // the answer is slow; the record is as it was
        return answers[0] as T;
      }
      answers.push(pod('Never', { state: 'Terminated', reason: 'Error', ready: false, exitCode: 1, startedAt }));
      return answers.at(-1) as T;
    }
  }
  const err = await t.throwsAsync(new SlowApi('/nonexistent').waitReady('p', 10_000, { settleMs: 500 }));
  t.regex(err!.message, /^container a of pod p exited \(code 1\)/);
  t.is(answers.length, 2);
});

test('exit 0 is done under Never and OnFailure, not under Always: there a restart is to come, and run waits to see it', async (t) => {
  const { ApiClient } = await import('../../../lib/api/client.js');
  for (const policy of ['Never', 'OnFailure']) {
    class Done extends ApiClient {
      override async request<T>(): Promise<T> {
        return pod(policy, { state: 'Terminated', reason: 'Completed', ready: false, exitCode: 0 }) as T;
      }
    }
    t.is((await new Done('/nonexistent').waitReady('p', 1000)).containers[0]!.exitCode, 0, policy);
  }
  let asked = 0;
  class Loop extends ApiClient {
    override async request<T>(): Promise<T> {
      asked++;
      return (asked === 1
        ? pod('Always', { state: 'Terminated', reason: 'Completed', ready: false, exitCode: 0 })
        : pod('Always', { state: 'Waiting', reason: 'CrashLoopBackOff', ready: false, lastState: ended({ exitCode: 0, reason: 'Completed' }) })) as T;
    }
  }
  const err = await t.throwsAsync(new Loop('/nonexistent').waitReady('p', 5000));
  t.regex(err!.message, /^container a of pod p is crash-looping \(last exit code 0\)/);
});
