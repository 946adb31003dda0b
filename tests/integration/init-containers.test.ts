// initContainers with real processes (issue 12, Pod fields 3): each runs to exit 0, in order,
// before the apps; a failure follows restartPolicy; STATUS as kubectl shows it; re-run in a new
// sandbox after a recovery, not after a daemon restart. Each container leaves a mark in a file
// under the node's temp dir (host-process containers share the node's filesystem).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, netnsOf, restartTestNode, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;
let dir: string;

test.before(async () => {
  process.env.MINIPOD_BACKOFF_BASE_MS = '200'; // the daemon inherits it: retries come fast
  node = await startTestNode();
  dir = path.join(node.dir, 'marks');
  await mkdir(dir);
});
test.after.always(() => node?.dispose());

const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const marks = async (pod: string) => (await readFile(path.join(dir, pod), 'utf8').catch(() => '')).split('\n').filter(Boolean);
/** Append WORD to the pod's marks file. */
const mark = (pod: string, word: string) => `echo ${word} >> ${path.join(dir, pod)}`;
/** Wait (bounded: 20 s) for the file `gate` to exist. */
const gate = (name: string) => `i=0; until [ -e ${path.join(dir, name)} ]; do i=$((i+1)); [ $i -gt 400 ] && exit 1; sleep 0.05; done`;
/** STATUS of the pod in `minipod get pods`. */
async function status(pod: string): Promise<string> {
  const line = (await node.cli(['get', 'pods'])).stdout.split('\n').find((l) => l.startsWith(`${pod} `));
  return line?.split(/\s{3,}/)[2] ?? '<absent>';
}
async function manifestFile(name: string, restartPolicy: string, inits: string[], app = `${mark(name, 'app')}; exec sleep infinity`): Promise<string> {
  const file = path.join(node.dir, `${name}.json`);
  const m = { metadata: { name }, spec: { restartPolicy, terminationGracePeriodSeconds: 1, initContainers: inits.map((s, i) => ({ name: `init-${i}`, command: ['sh', '-c', s] })), containers: [{ name: 'app', command: ['sh', '-c', app] }] } };
  await writeFile(file, JSON.stringify(m));
  return file;
}

test.serial('two init containers run in order, each to completion, then the app; STATUS Init:0/2, Init:1/2, Running', async (t) => {
  const file = await manifestFile('order', 'Always', [`${gate('go-0')}; ${mark('order', 'one')}`, `${gate('go-1')}; ${mark('order', 'two')}`]);
  const run = node.cli(['run', '-f', file]); // waits for the init containers, then the app's readiness
  await waitFor(async () => (await status('order')) === 'Init:0/2', 'Init:0/2');
  t.deepEqual(await marks('order'), []);
  await writeFile(path.join(dir, 'go-0'), '');
  await waitFor(async () => (await status('order')) === 'Init:1/2', 'Init:1/2');
  t.deepEqual(await marks('order'), ['one'], 'the second waits for the first to complete');
  await writeFile(path.join(dir, 'go-1'), '');
  const r = await run;
  t.is(r.exitCode, 0, r.stderr);
  t.is(await status('order'), 'Running');
  await waitFor(async () => (await marks('order')).length === 3, 'the app\'s mark');
  t.deepEqual(await marks('order'), ['one', 'two', 'app']);
  const p = await get('order');
  t.deepEqual(p.initContainers!.map((c) => [c.name, c.state, c.reason, c.exitCode, c.restartCount]), [['init-0', 'Terminated', 'Completed', 0, 0], ['init-1', 'Terminated', 'Completed', 0, 0]]);
  t.true(Date.parse(p.containers[0]!.startedAt!) >= Date.parse(p.initContainers![1]!.finishedAt!), 'the app started after the last init container ended');
  t.is(await netnsOf(p.containers[0]!.pid!), p.sandbox!.netns);
  const json = JSON.parse((await node.cli(['get', 'pod', 'order', '-o', 'json'])).stdout) as { status: { phase: string; initContainerStatuses: { name: string; state: { terminated: { exitCode: number; reason: string } } }[] } };
  t.is(json.status.phase, 'Running');
  t.deepEqual(json.status.initContainerStatuses.map((s) => [s.name, s.state.terminated.reason, s.state.terminated.exitCode]), [['init-0', 'Completed', 0], ['init-1', 'Completed', 0]]);
  const logs = await node.cli(['logs', 'order', '-c', 'init-1']);
  t.is(logs.exitCode, 0, logs.stderr);
});

test.serial('restartPolicy Never: a failing init container fails the pod; `run` exits 1 naming it; the app never starts', async (t) => {
  const file = await manifestFile('never', 'Never', [mark('never', 'one'), `${mark('never', 'two')}; exit 3`, mark('never', 'three')]);
  const r = await node.cli(['run', '-f', file]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /init-1/);
  await waitFor(async () => (await status('never')) === 'Init:Error', 'Init:Error');
  await new Promise((resolve) => setTimeout(resolve, 500)); // nothing else may start meanwhile
  t.deepEqual(await marks('never'), ['one', 'two']);
  const p = await get('never');
  t.like(p.initContainers![1], { state: 'Terminated', reason: 'Error', exitCode: 3, restartCount: 0 });
  t.like(p.containers[0], { state: 'Waiting', reason: 'PodInitializing', pid: null });
  const json = JSON.parse((await node.cli(['get', 'pod', 'never', '-o', 'json'])).stdout) as { status: { phase: string } };
  t.is(json.status.phase, 'Failed');
  // The app never started: kubectl's words, exit 1, not an empty log; -c names the init containers too.
  t.like(await node.cli(['logs', 'never']), { exitCode: 1, stdout: '', stderr: 'minipod: container "app" in pod "never" is waiting to start: PodInitializing\n' });
  t.regex((await node.cli(['logs', 'never', '-c', 'nope'])).stderr, /\(it has init-0, init-1, init-2, app\)/);
  t.is((await node.cli(['rm', '-f', 'never'])).exitCode, 0);
});

test.serial('restartPolicy OnFailure: a failing init container is retried with back-off (Init:CrashLoopBackOff); the app waits', async (t) => {
  const file = await manifestFile('retry', 'OnFailure', [`${mark('retry', 'try')}; exit 1`]);
  await node.api.request('POST', '/pods', JSON.parse(await readFile(file, 'utf8')));
  const seen = new Set<string>();
  const p = await waitFor(async () => {
    seen.add(await status('retry'));
    const r = await get('retry');
    return r.initContainers![0]!.restartCount >= 3 && r;
  }, 'three retries');
  t.true(seen.has('Init:CrashLoopBackOff'), [...seen].join(', '));
  t.like(p.initContainers![0]!.lastState, { reason: 'Error', exitCode: 1 });
  t.like(p.containers[0], { state: 'Waiting', reason: 'PodInitializing' });
  t.false((await marks('retry')).includes('app'));
  // The restart count goes up as the fourth try starts, a moment before its shell writes the mark.
  await waitFor(async () => (await marks('retry')).length >= 4, 'the fourth try\'s mark');
  t.is((await node.cli(['rm', '-f', 'retry'])).exitCode, 0);
});

test.serial('a sandbox recreation runs the init containers again in the new sandbox, then the app', async (t) => {
  const before = await get('order');
  const k = await node.cli(['kill', 'order', '--sandbox']);
  t.is(k.exitCode, 0, k.stderr);
  const after = await waitFor(async () => {
    const p = await get('order');
    return p.phase === 'Running' && p.sandbox?.attempt === 1 && p.containers[0]!.state === 'Running' && p;
  }, 'the recreated sandbox with its app running');
  t.not(after.sandbox!.netns, before.sandbox!.netns);
  t.deepEqual(after.initContainers!.map((c) => [c.state, c.exitCode, c.restartCount]), [['Terminated', 0, 1], ['Terminated', 0, 1]]);
  await waitFor(async () => (await marks('order')).length === 6, 'the marks of the second run');
  t.deepEqual(await marks('order'), ['one', 'two', 'app', 'one', 'two', 'app'], 'in order again (the gates are open)');
  t.is(await netnsOf(after.containers[0]!.pid!), after.sandbox!.netns);
});

test.serial('after a daemon restart a completed init container is not run again; the app is re-adopted as it runs', async (t) => {
  const before = await get('order');
  node = await restartTestNode(node);
  const after = await get('order');
  t.is(after.containers[0]!.pid, before.containers[0]!.pid);
  t.deepEqual(after.initContainers!.map((c) => [c.state, c.restartCount]), [['Terminated', 1], ['Terminated', 1]]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.is((await marks('order')).length, 6, 'no init container ran again');
  t.is(await status('order'), 'Running');
  t.is((await node.cli(['rm', '-f', 'order'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
