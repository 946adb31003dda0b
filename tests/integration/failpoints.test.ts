// Fault injection (failpoints): fail create, recreate and remove after each step in turn; the
// error names the step, nothing leaks, and the same pod can then be created again — proof that
// every rollback is complete.
import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { assertNodeEmpty, curl, snapshot, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;

test.before(async () => {
  process.env.MINIPOD_DEBUG_API = '1'; // the daemon inherits it: PUT /v1/debug/failpoints
  node = await startTestNode();
});
test.after.always(() => node?.dispose());

const arm = (...names: string[]) => node.api.request('PUT', '/debug/failpoints', { names });
const manifest = {
  metadata: { name: 'fp' },
  spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'a', command: ['sleep', 'infinity'] }, { name: 'web', command: ['busybox', 'httpd', '-f', '-p', '80', '-h', '/tmp'], ports: [{ containerPort: 80 }] }] },
};

// Side by side, then in turn (lib/pod/create.ts): the lease and the holder, its veth and eth0; then the
// cgroup, the record, the log directory and the name's reservation; the name's bind; the apps.
const createSteps = ['allocate-IP', 'start-pause-holder', 'create-veth', 'configure-eth0', 'create-cgroup', 'persist-record', 'create-log-directory', 'reserve-netns-name', 'name-network-namespace', 'start-containers'];

for (const step of createSteps) {
  test.serial(`create fails after "${step}": error names it, nothing leaks, the pod can be created again`, async (t) => {
    await arm(`create/${step}`);
    const r = await node.cli(['run', 'fp', '-c', 'a=sleep infinity', '-c', 'web=busybox httpd -f -p 80 -h /tmp']);
    t.is(r.exitCode, 1);
    t.regex(r.stderr, new RegExp(`failed to create pod fp: ${step.replaceAll('-', ' ')}: failpoint create/${step} fired`));
    await assertNodeEmpty(t, node);
    await arm();
    const again = await node.cli(['run', 'fp', '-c', 'a=sleep infinity', '-c', 'web=busybox httpd -f -p 80 -h /tmp']);
    t.is(again.exitCode, 0, again.stderr);
    t.is((await node.cli(['rm', '-f', 'fp'])).exitCode, 0);
    await assertNodeEmpty(t, node);
  });
}

const removeSteps = ['persist-record', 'stop-apps', 'stop-holder', 'delete-netns-name', 'delete-sandbox', 'remove-cgroup', 'release-IP', 'delete-logs', 'delete-record'];

for (const step of removeSteps) {
  test.serial(`rm -f fails after "${step}": error names it, a second rm -f finishes, nothing leaks`, async (t) => {
    await node.api.request('POST', '/pods', manifest);
    await arm(`remove/${step}`);
    const r = await node.cli(['rm', '-f', 'fp']);
    const expected = new RegExp(`failed to remove pod fp: ${step.replaceAll('-', ' ')}: failpoint remove/${step} fired`);
    if (step === 'persist-record') {
      t.is(r.exitCode, 1); // before the intent is on disk: rm itself fails
      t.regex(r.stderr, expected);
    } else {
      // Answered; the teardown failed in the background: the pod is back, Terminating, saying why.
      t.is(r.exitCode, 0, r.stderr);
      const kept = await node.api.request<PodRecord>('GET', '/pods/fp');
      t.regex(kept.message ?? '', expected);
      t.truthy(kept.deletionTimestamp);
      const events = (await node.cli(['events', 'fp', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
      t.true(events.some((e) => e.reason === 'RemoveFailed' && expected.test(e.message)), 'a Warning event says so');
    }
    await arm();
    const again = await node.cli(['rm', '-f', 'fp']);
    t.is(again.exitCode, 0, again.stderr);
    await assertNodeEmpty(t, node);
    await node.api.request('POST', '/pods', manifest);
    t.is((await node.cli(['rm', '-f', 'fp'])).exitCode, 0);
  });
}

// In the order they end: the new holder, the Recreating record (written beside the new sandbox), the
// new sandbox wired and named, then the old apps stop and the old sandbox is cleared, the apps start.
const recreateSteps = ['start-pause-holder', 'persist-record', 'create-veth', 'configure-eth0', 'name-network-namespace', 'stop-apps', 'clear-old-sandbox', 'start-containers'];

for (const step of recreateSteps) {
  test.serial(`recreate fails after "${step}": the failure is reported, rolled back, and retried`, async (t) => {
    await node.api.request('POST', '/pods', manifest);
    const before = await node.api.waitReady('fp', 10_000);
    await arm(`recreate/${step}`);
    process.kill(before.sandbox!.pid, 'SIGKILL');
    const failed = await waitFor(async () => {
      const evs = (await node.cli(['events', 'fp', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
      return evs.find((e) => e.reason === 'FailedCreatePodSandBox' && e.podUid === before.uid); // not an earlier pod's
    }, 'the failed recovery');
    t.regex(failed.message, new RegExp(`recreate sandbox: ${step.replaceAll('-', ' ')}: failpoint recreate/${step} fired; retrying in 1s`));
    // Failed before the old apps were stopped (they stop once the new sandbox is wired), they and
    // the old veth wait for the retry; failed later, nothing of the old or the half-made sandbox is
    // left. The old sandbox's name goes as soon as the new holder is there (it unmounts it), the
    // new one's is rolled back. The retries (1 s, 2 s, …, failing again while the failpoint is
    // armed) make and roll back a holder each: the state is read between them.
    const appsKept = recreateSteps.indexOf(step) < recreateSteps.indexOf('stop-apps');
    const expected = {
      links: appsKept ? ['lo', 'minipod0', before.sandbox!.hostVeth].sort() : ['lo', 'minipod0'],
      processes: appsKept ? before.containers.flatMap((c) => [c.argv.join(' '), `shim: ${c.argv.join(' ')}`]).sort() : [], // each app and its shim
      leases: [before.ip],
      names: step === 'start-pause-holder' ? ['fp'] : [],
      phase: 'SandboxLost',
      attempt: 0, // a rolled-back sandbox is no attempt
    };
    const seen = async () => {
      const { links, processes, leases, names } = await snapshot(node);
      const pod = await node.api.request<PodRecord>('GET', '/pods/fp');
      return { links, processes, leases, names, phase: pod.phase, attempt: pod.sandbox!.attempt };
    };
    const s = await waitFor(async () => {
      const now = await seen();
      return isDeepStrictEqual(now, expected) && now;
    }, 'the rolled-back state between retries', 10_000).catch(seen);
    t.deepEqual(s, expected, 'rolled back, and the pod keeps its IP while it waits');
    await arm();
    const after = await waitFor(async () => {
      const p = await node.api.request<PodRecord>('GET', '/pods/fp');
      return p.phase === 'Running' && p.containers.every((c) => c.ready) ? p : undefined;
    }, 'the retry');
    t.is(after.sandbox!.attempt, 1);
    t.is(after.ip, before.ip);
    t.is((await curl(node, `http://${after.ip}/`)).exitCode, 0);
    t.is((await node.cli(['rm', '-f', 'fp'])).exitCode, 0);
    await assertNodeEmpty(t, node);
  });
}
