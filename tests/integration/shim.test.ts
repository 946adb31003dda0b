// An app's exit code is always known (issue 10): a container without an image runs under
// rootfs/shim too, which keeps how it ended in STATE/nsenter/ID. An app that ends while no daemon
// runs is reported by the next one with its real code (3, or 137 for SIGKILL), and the restart
// policy applies to it as kubelet's would; a re-adopted app's later exit keeps its code; a shim
// killed by hand leaves its app running. Nothing is left (the leak check reads STATE/nsenter).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { parentOf } from '../../lib/process/identity.js';
import { alive, assertNodeEmpty, containerLeftovers, restartTestNode, sigterm, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;
test.before(async () => {
  node = await startTestNode();
});
test.after.always(async () => {
  await node?.dispose();
});

/** A file the test creates to make an app exit 3: the node sees the host's /tmp, where the node dir is. */
const trigger = (name: string) => path.join(node.dir, `exit-${name}`);

/** Waits for its trigger file, then exits 3. */
const exits3 = (name: string, restartPolicy: string) => ({
  metadata: { name },
  spec: { restartPolicy, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sh', '-c', `while [ ! -e ${trigger(name)} ]; do sleep 0.05; done; exit 3`] }] },
});
const sleeper = (name: string, restartPolicy: string) => ({ metadata: { name }, spec: { restartPolicy, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });

const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const events = async (name: string) => (await node.cli(['events', name])).stdout;


test.serial('an app is the shim\'s child, in a session of its own, and the shim the daemon\'s: the recorded pid is the app\'s', async (t) => {
  const p = await node.api.request<PodRecord>('POST', '/pods', sleeper('tree', 'Always'));
  const app = p.containers[0]!;
  t.regex(app.containerID!, /^nsenter:\/\/tree-app-[A-Za-z0-9]{8}$/);
  const shim = (await parentOf(app.pid!))!;
  t.regex((await node.sh(['cat', `/proc/${shim}/cmdline`])).stdout, /rootfs\/shim\/shim\0-s\0-p\0/);
  t.is(await parentOf(shim), node.pid as number | undefined, 'the shim is the daemon\'s child: its exit is heard at once');
  const stat = (await node.sh(['cat', `/proc/${app.pid}/stat`])).stdout;
  t.is(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]), app.pid!, 'the app leads its own session');
  t.is((await node.cli(['rm', '-f', 'tree'])).exitCode, 0);
  t.false(alive(shim), 'the shim ends with its app');
  t.deepEqual(await containerLeftovers(node), []);
});

test.serial('apps that end while no daemon runs: the next daemon reports their exit codes (3; 137 for SIGKILL) and applies the restart policy', async (t) => {
  const never = await node.api.request<PodRecord>('POST', '/pods', exits3('never', 'Never'));
  const failing = await node.api.request<PodRecord>('POST', '/pods', sleeper('killed', 'OnFailure'));
  await sigterm(node);
  const apps = [never, failing].map((p) => p.containers[0]!.pid!);
  const shims = await Promise.all(apps.map(async (pid) => (await parentOf(pid))!));
  await writeFile(trigger('never'), '');
  process.kill(failing.containers[0]!.pid!, 'SIGKILL');
  await waitFor(async () => ![...apps, ...shims].some(alive), 'both apps and their shims to end');
  t.is((await containerLeftovers(node)).length, 2, 'each shim left its status for the next daemon');

  node = await startTestNode({}, node.dir);
  const n = (await get('never')).containers[0]!;
  t.like(n, { state: 'Terminated', exitCode: 3, reason: 'Error', restartCount: 0 }, 'Never: ended for good, its code known');
  t.like(n.lastState, { exitCode: 3, reason: 'Error' });
  t.regex(await events('never'), /exited while the daemon was down \(with code 3, kept by its shim\)/);
  const k = await waitFor(async () => {
    const c = (await get('killed')).containers[0]!;
    return c.state === 'Running' && c.restartCount === 1 && c;
  }, 'the OnFailure app to be restarted');
  t.like(k.lastState, { exitCode: 137, signal: 'SIGKILL', reason: 'Error' });
  t.deepEqual(await containerLeftovers(node), [`shim files ${k.containerID!.slice('nsenter://'.length)}`], 'read and removed; only the restarted app has shim files');
  t.is((await node.cli(['rm', '-f', 'never', 'killed'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('a daemon restart re-adopts a running app; its later exit is reported with its code', async (t) => {
  const before = await node.api.request<PodRecord>('POST', '/pods', exits3('later', 'Never'));
  node = await restartTestNode(node);
  const adopted = await get('later');
  t.like(adopted.containers[0], { state: 'Running', pid: before.containers[0]!.pid, containerID: before.containers[0]!.containerID });
  await writeFile(trigger('later'), '');
  const c = await waitFor(async () => {
    const c = (await get('later')).containers[0]!;
    return c.state === 'Terminated' && c;
  }, 'the adopted app to end');
  t.like(c, { exitCode: 3, reason: 'Error', restartCount: 0 });
  t.regex(await events('later'), /exited with code 3/);
  t.deepEqual(await containerLeftovers(node), [], 'its shim files are removed');
  t.is((await node.cli(['rm', '-f', 'later'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('a shim killed by hand leaves its app running, watched: a stop still ends it and nothing is left', async (t) => {
  const p = await node.api.request<PodRecord>('POST', '/pods', sleeper('orphan', 'Always'));
  const app = p.containers[0]!.pid!;
  const shim = (await parentOf(app))!;
  process.kill(shim, 'SIGKILL');
  await waitFor(async () => !alive(shim), 'the shim to die');
  await new Promise((r) => setTimeout(r, 300));
  t.true(alive(app), 'the app runs on');
  t.like((await get('orphan')).containers[0], { state: 'Running', pid: app, restartCount: 0 });
  t.is((await node.cli(['stop', 'orphan'])).exitCode, 0);
  t.false(alive(app), 'stopped through its own pid');
  t.like((await get('orphan')).containers[0], { state: 'Terminated', reason: 'Killed' });
  t.is((await node.cli(['rm', 'orphan'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
