// Apps restart on their own per restartPolicy with back-off; an app dying touches neither the
// sandbox nor the other apps (issue acceptance 4).
import test from 'ava';
import type { PodEvent } from '../../lib/supervisor/events.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { podStatus } from '../../lib/pod/table.js';
import { assertNodeEmpty, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;

test.before(async () => {
  process.env.MINIPOD_BACKOFF_BASE_MS = '300'; // the daemon inherits it: 0, 0.3, 0.6, 1.2 s…
  node = await startTestNode();
});
test.after.always(() => node?.dispose());

const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const pod = (name: string, restartPolicy: string, crasher: string[]) => ({
  metadata: { name },
  spec: { restartPolicy, containers: [{ name: 'steady', command: ['sleep', 'infinity'] }, { name: 'crasher', command: crasher }] },
});

test.serial('Always: a crashing app is restarted with back-off, shown as CrashLoopBackOff', async (t) => {
  const created = await node.api.request<PodRecord>('POST', '/pods', pod('loop', 'Always', ['sh', '-c', 'echo crashing; exit 3']));
  const steadyPid = created.containers[0]!.pid;
  const seen = new Set<string>();
  const p = await waitFor(async () => {
    const r = await get('loop');
    seen.add(podStatus(r));
    return r.containers[1]!.restartCount >= 3 ? r : undefined;
  }, 'three restarts');
  t.true(seen.has('CrashLoopBackOff'), `statuses seen: ${[...seen].join(', ')}`);
  const crasher = p.containers[1]!;
  t.like(crasher.lastState, { exitCode: 3, reason: 'Error' });
  t.is(p.sandbox!.attempt, 0, 'the sandbox is untouched');
  t.is(p.containers[0]!.pid, steadyPid, 'the other app is untouched');
  t.is(p.containers[0]!.restartCount, 0);
  const evs = (await node.cli(['events', 'loop', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
  const backoffs = evs.filter((e) => e.reason === 'BackOff').map((e) => Number(/Back-off ([\d.]+)s/.exec(e.message)![1]));
  t.true(backoffs.length >= 2);
  t.deepEqual(backoffs.slice(0, 2), [0.3, 0.6], 'the wait doubles');
  // Runs are kept apart: the current (or last) one, and with -p the one before (while a restart
  // is under way the current log is briefly empty: asked again).
  for (const args of [[], ['-p']]) {
    const logs = await waitFor(async () => {
      const r = await node.cli(['logs', 'loop', '-c', 'crasher', ...args]);
      return r.stdout ? r : undefined;
    }, `logs ${args.join(' ')} of a run`, 10_000);
    t.is(logs.stdout, 'crashing\n', `one run's output (${args.join(' ') || 'current'})`);
  }
  const ps = (await node.cli(['ps'])).stdout;
  t.regex(ps, /loop\s+[12]\/2\s+(CrashLoopBackOff|Error|Running)\s+([3-9]|\d\d)\s/, 'READY 2/2 while the crasher briefly runs');
  t.is((await node.cli(['rm', '-f', 'loop'])).exitCode, 0);
});

test.serial('OnFailure: exit 0 is Completed and not restarted; a failure is', async (t) => {
  await node.api.request('POST', '/pods', pod('done', 'OnFailure', ['true']));
  await waitFor(async () => (await get('done')).containers[1]!.state === 'Terminated', 'the app to finish');
  await new Promise((r) => setTimeout(r, 500));
  const done = await get('done');
  t.like(done.containers[1], { state: 'Terminated', reason: 'Completed', exitCode: 0, restartCount: 0 });
  t.is(podStatus(done), 'NotReady', "kubectl's STATUS: its other container still runs");
  await node.api.request('POST', '/pods', pod('fails', 'OnFailure', ['false']));
  await waitFor(async () => (await get('fails')).containers[1]!.restartCount >= 1, 'a restart of the failing app');
  t.is((await node.cli(['rm', '-f', 'done', 'fails'])).exitCode, 0);
});

test.serial('Never: an app that fails stays Terminated with its exit code', async (t) => {
  await node.api.request('POST', '/pods', pod('once', 'Never', ['sh', '-c', 'exit 7']));
  await waitFor(async () => (await get('once')).containers[1]!.state === 'Terminated', 'the app to exit');
  await new Promise((r) => setTimeout(r, 500));
  const p = await get('once');
  t.like(p.containers[1], { state: 'Terminated', reason: 'Error', exitCode: 7, restartCount: 0 });
  t.is(podStatus(p), 'Error');
  t.is(p.phase, 'Running', 'the sandbox and the other app keep running');
  t.is((await node.cli(['rm', '-f', 'once'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('kill -c NAME kills one app, which restarts alone', async (t) => {
  const created = await node.api.request<PodRecord>('POST', '/pods', pod('one', 'Always', ['sleep', 'infinity']));
  t.is((await node.cli(['kill', 'one', '-c', 'crasher'])).exitCode, 0);
  const p = await waitFor(async () => {
    const r = await get('one');
    return r.containers[1]!.restartCount === 1 && r.containers[1]!.state === 'Running' ? r : undefined;
  }, 'the restart');
  t.like(p.containers[1]!.lastState, { signal: 'SIGKILL', reason: 'Error' });
  t.is(p.containers[0]!.pid, created.containers[0]!.pid);
  t.is(p.sandbox!.pid, created.sandbox!.pid);
  t.is((await node.cli(['rm', '-f', 'one'])).exitCode, 0);
});

test.serial('run fails on an app that fails at start and is restarted at once, every time; a healthy one still succeeds', async (t) => {
  const names = Array.from({ length: 5 }, (_, i) => `fails-${i}`);
  for (const name of names) {
    const r = await node.cli(['run', name, '-c', 'a=false']);
    t.is(r.exitCode, 1, `${name}: ${r.stdout}`);
    t.is(r.stdout, '');
    t.regex(r.stderr, new RegExp(`^minipod: container a of pod ${name} (exited \\(code 1\\) and was restarted|is crash-looping \\(last exit code 1\\)).*see \`minipod logs ${name} -c a( -p)?\`.*\\n$`));
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const ok = await node.cli(['run', 'healthy', '-c', 'a=sleep infinity']);
  t.is(ok.exitCode, 0, ok.stderr);
  t.regex(ok.stdout, /^pod\/healthy Running /);
  t.is((await node.cli(['rm', '-f', 'healthy', ...names])).exitCode, 0);
});

test.serial('run waits for a job to complete (exit 0 is success) and fails on one that fails for good', async (t) => {
  const ok = await node.cli(['run', 'job-ok', '-c', 'job=echo hi', '--restart', 'Never']);
  t.is(ok.exitCode, 0, ok.stderr);
  t.is(ok.stdout, 'pod/job-ok Succeeded\n', 'run its course: no address to show (it is given back)');
  const bad = await node.cli(['run', 'job-bad', '-c', 'job=false', '--restart', 'Never']);
  t.is(bad.exitCode, 1);
  t.regex(bad.stderr, /container job of pod job-bad exited \(code 1\): see `minipod logs job-bad -c job` \(the pod is kept/);
  // As kubelet kills a pod with nothing left to run: no pause, no veth, no lease; the record and logs stay.
  const ended = await waitFor(async () => {
    const pods = (await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods.filter((p) => p.name.startsWith('job-'));
    return pods.length === 2 && pods.every((p) => p.phase === 'Stopped') && pods;
  }, 'both jobs stopped', 10_000, 50);
  for (const p of ended) t.like(p, { sandbox: null, ip: '' }, p.name);
  t.like(await node.cli(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/job-ok', '--timeout=10s']), { exitCode: 0, stdout: 'pod/job-ok condition met\n' }, 'kubectl wait for a job');
  t.regex((await node.cli(['get', 'pods', '--no-headers'])).stdout, /^job-ok +0\/1 +Completed +0 +\S+ +<none>\njob-bad +0\/1 +Error +0 +\S+ +<none>\n$/);
  t.is((await node.cli(['logs', 'job-ok'])).stdout, 'hi\n');
  t.like(await node.cli(['logs', '-f', 'job-ok']), { exitCode: 0, stdout: 'hi\n' }, 'logs -f of a container that has run its last ends at once, as kubectl');
  t.like(await node.cli(['exec', 'job-ok', '--', 'true']), { exitCode: 1, stderr: 'minipod: pod job-ok is Stopped: exec needs a Running pod\n' });
  // One container ended, one running: an exec needs its container running, with or without an image.
  await node.api.request('POST', '/pods', { metadata: { name: 'half' }, spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'a', command: ['true'] }, { name: 'b', command: ['sleep', '100'] }] } });
  await waitFor(async () => (await get('half')).containers[0]!.state === 'Terminated', 'a to end');
  const inEnded = await node.cli(['exec', 'half', '-c', 'a', '--', 'hostname']);
  t.is(inEnded.exitCode, 1);
  t.regex(inEnded.stderr, /^minipod: container a of pod half is Terminated \(Completed\): exec needs it Running/);
  t.is((await node.cli(['exec', 'half', '-c', 'b', '--', 'hostname'])).stdout, 'half\n');
  t.regex((await node.cli(['get', 'pod', 'half', '--no-headers'])).stdout, /^half +1\/2 +NotReady /, "kubectl's STATUS for one completed beside one running");
  t.is((await node.cli(['rm', '-f', 'half'])).exitCode, 0);
  // Followed while it runs: its last output, then the end (kubectl's logs -f ends with the container).
  await node.api.request('POST', '/pods', pod('job-f', 'Never', ['sh', '-c', 'echo one; sleep 1; echo two']));
  t.like(await node.cli(['logs', '-f', 'job-f', '-c', 'crasher']), { exitCode: 0, stdout: 'one\ntwo\n' }, 'its other container runs on: the follow ends with this one');
  t.is((await node.cli(['rm', '-f', 'job-f'])).exitCode, 0);
  t.regex((await node.cli(['events', 'job-ok'])).stdout, /PodCompleted +job-ok +every container has ended \(Succeeded\): stopping the sandbox and releasing 10\.88\.\d+\.\d+, as kubelet does/);
  // The pods before these were removed with `rm -f`, which answers before its teardown is done.
  await waitFor(async () => (await node.sh(['ip', '-o', 'link', 'show', 'master', 'minipod0'])).stdout === '', 'no veth left on the bridge', 10_000, 50);
  t.like(await node.sh(['ip', 'netns', 'list']), { stdout: '' }, 'no netns name');
  t.is((await node.cli(['rm', 'job-ok', 'job-bad'])).exitCode, 0, 'Stopped: rm without -f');
});
