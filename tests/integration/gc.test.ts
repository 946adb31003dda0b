// `minipod gc`: what no pod record owns is listed with where it came from, and --fix removes it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import type { PodRecord } from '../../lib/pod/types.js';
import { PAUSE_PATH } from '../../lib/os/tools.js';
import { nodeExecArgv } from '../../lib/node/node-namespace.js';
import { nodePaths } from '../../lib/node-paths.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { alive, assertNodeEmpty, restartTestNode, SEED, snapshot, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';
import { importSeedImages } from '../helpers/seed.js';

let node: TestNode;

test.before(async () => {
  node = await startTestNode();
  await importSeedImages(node);
});
test.after.always(() => node?.dispose());

test.serial('gc lists orphans with their origin, leaves pods alone, and --fix removes them', async (t) => {
  t.is((await node.cli(['run', '-f', SEED])).exitCode, 0);
  const web = await node.api.request<PodRecord>('GET', '/pods/web');
  t.regex((await node.cli(['gc'])).stdout, /nothing to collect/);

  // What a crash or a hand-made experiment could leave behind:
  await node.sh(['ip', 'link', 'add', 'mpstray00001', 'master', 'minipod0', 'type', 'veth', 'peer', 'name', 'mpstray00002']);
  await writeFile(path.join(node.stateDir, 'leases', '10.88.9.9'), 'V1StGXR8_Z5jdHi6B-myT\n');
  await writeFile(path.join(node.stateDir, 'leases', '10.88.9.10'), '../not-a-uid\n');
  await mkdir(path.join(node.stateDir, 'logs', 'ghost'));
  await writeFile(path.join(node.stateDir, 'pods', 'broken.json.corrupt'), '{');
  // A holder in the node's mount namespace that holds no pod's sandbox, with a process inside.
  const [file, ...args] = nodeExecArgv(node, ['unshare', '--net', '--', 'sh', '-c', `${PAUSE_PATH} & sleep 1000`]);
  const stray = execa(file!, args, { reject: false });
  t.teardown(() => stray.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 300));

  const listed = await node.cli(['gc']);
  t.is(listed.exitCode, 0);
  t.regex(listed.stdout, /^veth +mpstray00001 +\(a pod veth on minipod0 that no pod record names/m);
  t.regex(listed.stdout, /^lease +10\.88\.9\.9 +\(leased to pod uid V1StGXR8_Z5jdHi6B-myT, which no longer exists\)/m);
  t.regex(listed.stdout, /^lease +10\.88\.9\.10 +\(a malformed lease \("\.\.\/not-a-uid\\n" is not a pod uid and a newline\)\)/m);
  t.regex(listed.stdout, /^logs +.*\/logs\/ghost +\(logs of a pod that no longer exists\)/m);
  t.regex(listed.stdout, /^record +.*broken\.json\.corrupt +\(a pod record that failed validation, quarantined at daemon start and never run\)/m);
  t.regex(listed.stdout, /^holder +pid \d+ net:\[\d+\] +\(a pause holder that holds no pod's sandbox/m);
  t.regex(listed.stdout, /6 orphan\(s\); `minipod gc --fix` removes them/);

  const fixed = await node.cli(['gc', '--fix']);
  t.is(fixed.exitCode, 0);
  t.regex(fixed.stdout, /: removed$/m);
  t.regex((await node.cli(['gc'])).stdout, /nothing to collect/);
  const after = await node.api.request<PodRecord>('GET', '/pods/web');
  t.is(after.sandbox!.pid, web.sandbox!.pid, 'the pod was not touched');
  t.true(alive(web.sandbox!.pid));
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
  t.deepEqual((await snapshot(node)).links, ['lo', 'minipod0']);
});

test.serial('node restart answers before its housekeeping, which then removes what was left by hand meanwhile and the strays in a sandbox', async (t) => {
  const pod = await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'hk' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', '1000'] }] } });
  await node.sh(['ip', 'link', 'add', 'mpstray00003', 'master', 'minipod0', 'type', 'veth', 'peer', 'name', 'mpstray00004']);
  await writeFile(path.join(node.stateDir, 'leases', '10.88.9.11'), 'V1StGXR8_Z5jdHi6B-myT\n');
  // A process in the pod's network namespace that is neither its holder's nor its app's.
  const [file, ...args] = nodeExecArgv(node, ['ip', 'netns', 'exec', 'hk', 'sleep', '1001']);
  const stray = execa(file!, args, { reject: false });
  t.teardown(() => stray.kill('SIGKILL'));
  const strayPid = await waitFor(async () => (await node.sh(['pgrep', '-f', '^sleep 1001$'])).stdout.trim(), 'the stray to run');

  // A clean handoff: the new daemon answers first, then tidies (pod/housekeeping.ts); the test's
  // restart waits for that (GET /stats).
  node = await restartTestNode(node);
  const log = (await readFile(nodePaths(node.dir).logFile, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { pid: number; msg: string; housekeeping?: string });
  const ready = log.map((l) => l.msg).lastIndexOf('minipod daemon ready');
  t.is(log[ready]!.housekeeping, 'once answering');
  t.true(log.slice(ready).some((l) => l.msg === 'boot housekeeping done' && l.pid === log[ready]!.pid), 'done after ready, by that daemon');
  t.false((await node.sh(['ip', 'link', 'show', 'mpstray00003'])).exitCode === 0, 'the veth left by hand is gone');
  t.deepEqual((await node.sh(['ls', path.join(node.stateDir, 'leases')])).stdout.split('\n').filter(Boolean), [pod.ip], 'the lease left by hand is gone');
  await waitFor(async () => !alive(Number(strayPid)), 'the stray to be stopped');
  const events = (await node.cli(['events', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
  t.regex(events.find((e) => e.reason === 'StraysStopped' && e.pod === 'hk')?.message ?? '', /^1 process\(es\) in the sandbox that were neither the holder's nor an app's/);
  const after = await node.api.request<PodRecord>('GET', '/pods/hk');
  t.is(after.sandbox!.pid, pod.sandbox!.pid, 'the pod was re-adopted, not rebuilt');
  t.is((await node.cli(['rm', '-f', 'hk'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
