// `minipod gc`: what no pod record owns is listed with where it came from, and --fix removes it.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import type { PodRecord } from '../../lib/pod/types.js';
import { PAUSE_PATH } from '../../lib/os/tools.js';
import { nodeExecArgv } from '../../lib/node/node-namespace.js';
import { alive, assertNodeEmpty, SEED, snapshot, startTestNode, type TestNode } from '../helpers/node.js';
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
