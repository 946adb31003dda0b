// The pod-wide pids limit (cgroup/pod-pids.ts) on temp directories named by a mountinfo text: where
// the pod's v1 pids cgroup is, that it is made with its limit, that a process joins it once, and
// which values the flags take.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { checkPidsLimit, podPids } from '../../../lib/cgroup/pod-pids.js';
import { FakeHost } from '../../../lib/os/fake.js';
import { useHost } from '../../../lib/os/host.js';
import { tempDir } from '../../helpers/temp.js';

const mountinfo = (root: string, withPids = true) => [
  `32 31 0:29 / ${root}/cpu rw,relatime - cgroup cgroup rw,cpu`,
  ...(withPids ? [`39 31 0:36 / ${root}/pids rw,relatime - cgroup cgroup rw,pids`] : []),
  `41 31 0:38 / ${root}/unified rw,relatime - cgroup2 cgroup2 rw`,
].join('\n');

test('the pod\'s pids cgroup is the twin of its unified one in the pids hierarchy, made with pids.max', async (t) => {
  const root = await tempDir(t, 'minipod-pids-');
  const pids = podPids(`${root}/unified/minipod-node-x/node`, 64, mountinfo(root))!;
  const pod = `${root}/unified/minipod-node-x/node/pod-u1`;
  t.deepEqual(pids.join(pod), [`${root}/pids/minipod-node-x/node/pod-u1`]);
  await pids.create(pod);
  t.is(await readFile(path.join(`${root}/pids/minipod-node-x/node/pod-u1`, 'pids.max'), 'utf8'), '64');
});

test('no pods\' pids limit where the pids controller is in no hierarchy, or the parent is not in the cgroup2 tree', async (t) => {
  const root = await tempDir(t, 'minipod-pids-');
  await mkdir(`${root}/unified`);
  await writeFile(`${root}/unified/cgroup.controllers`, 'hugetlb\n');
  t.is(podPids(`${root}/unified/minipod`, 64, mountinfo(root, false)), undefined);
  t.is(podPids('/elsewhere/minipod', 64, mountinfo('/sys/fs/cgroup')), undefined);
});

test('pure cgroup v2: pids is enabled from the root down to the parent, and the limit is the pod cgroup\'s own pids.max', async (t) => {
  const root = await tempDir(t, 'minipod-pids-');
  const u = `${root}/unified`;
  for (const dir of [u, `${u}/minipod-node-x`, `${u}/minipod-node-x/pod-u1`]) await mkdir(dir, { recursive: true });
  await writeFile(`${u}/cgroup.controllers`, 'cpu memory pids\n');
  await writeFile(`${u}/cgroup.subtree_control`, 'cpu memory pids\n'); // systemd enabled it at the root
  await writeFile(`${u}/minipod-node-x/cgroup.subtree_control`, '\n');
  const pids = podPids(`${u}/minipod-node-x`, 64, mountinfo(root, false))!;
  t.deepEqual(pids.join(`${u}/minipod-node-x/pod-u1`), [], 'nothing to join beside the pod\'s own leaf');
  await pids.create(`${u}/minipod-node-x/pod-u1`);
  t.is(await readFile(`${u}/cgroup.subtree_control`, 'utf8'), 'cpu memory pids\n', 'enabled already: not written');
  t.is(await readFile(`${u}/minipod-node-x/cgroup.subtree_control`, 'utf8'), '+pids');
  t.is(await readFile(`${u}/minipod-node-x/pod-u1/pids.max`, 'utf8'), '64');
});

test('a process joins the pod\'s pids cgroup unless it is there or below already (a container in its own)', async (t) => {
  const root = await tempDir(t, 'minipod-pids-');
  const pids = podPids(`${root}/unified/m`, 64, mountinfo(root))!;
  const pod = `${root}/unified/m/pod-u1`;
  const twin = pids.join(pod)[0]!;
  await mkdir(twin, { recursive: true });
  const fake = new FakeHost();
  const restore = useHost(fake, fake.tools);
  t.teardown(restore);
  const outside = fake.add({ argv: ['/bin/sleep'] });
  outside.v1 = { pids: '/' };
  const inside = fake.add({ argv: ['/bin/sleep'], cgroup: '/m/pod-u1/app' });
  inside.v1 = { pids: '/m/pod-u1/app' };
  await writeFile(path.join(twin, 'cgroup.procs'), '');
  await pids.adopt(pod, inside.pid);
  t.is(await readFile(path.join(twin, 'cgroup.procs'), 'utf8'), '', 'a container stays in its own cgroup, below the pod\'s');
  await pids.adopt(pod, outside.pid);
  t.is(await readFile(path.join(twin, 'cgroup.procs'), 'utf8'), String(outside.pid));
});

test('a pids limit flag is a whole number of at least 16, else an error naming the flag and the default', (t) => {
  t.is(checkPidsLimit('--pod-max-pids', '64', 4096), 64);
  for (const bad of ['abc', '3', '1.5e3', '-20', '']) {
    t.throws(() => checkPidsLimit('--pod-max-pids', bad, 4096), { message: `--pod-max-pids ${bad}: give a whole number of processes of at least 16 (default 4096)` });
  }
});

test('a create finding pids.max at its limit writes nothing (a restart re-adopts every pod), and one at another limit is set', async (t) => {
  const root = await tempDir(t, 'minipod-pids-');
  const pod = `${root}/unified/m/pod-u1`;
  const twin = `${root}/pids/m/pod-u1`;
  await mkdir(twin, { recursive: true });
  await writeFile(path.join(twin, 'pids.max'), '64\n'); // as the kernel shows it
  const before = (await stat(path.join(twin, 'pids.max'))).mtimeMs;
  await new Promise((resolve) => setTimeout(resolve, 20));
  await podPids(`${root}/unified/m`, 64, mountinfo(root))!.create(pod);
  t.is((await stat(path.join(twin, 'pids.max'))).mtimeMs, before, 'not written');
  await podPids(`${root}/unified/m`, 128, mountinfo(root))!.create(pod); // the daemon restarted with another --pod-max-pids
  t.is(await readFile(path.join(twin, 'pids.max'), 'utf8'), '128');
});
