// The pod-wide pids limit (--pod-max-pids, cgroup/pod-pids.ts): every process of a pod counts
// against one pids.max — its pause, an app without an image, an image container (below, in its
// own), an exec — so a fork bomb in an app that has no image of its own (no per-container limit)
// stops there, the pod's other container keeps running and the node still starts pods. The limit is
// kept in node.json across restarts, a bad value is refused, and nothing stays in any hierarchy.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { v1Hierarchy } from '../../lib/cgroup/cgroup.js';
import { nodeCgroup } from '../../lib/node/node-cgroup.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { assertNodeEmpty, CLI, restartTestNode, startTestNode, type TestNode } from '../helpers/node.js';
import { importImages } from '../helpers/seed.js';

const MAX = 64;
let node: TestNode;

/** The pod's cgroup in the pids hierarchy, or a file of it. */
const podPidsDir = (p: PodRecord) => path.join(v1Hierarchy('pids')!, nodeCgroup(node.dir)!.name, `pod-${p.uid}`);
const pidsFile = async (p: PodRecord, file: string) => (await readFile(path.join(podPidsDir(p), file), 'utf8')).trim();
/** Where a process is in the pids hierarchy ("/minipod-node-…/pod-UID/c"). */
const pidsPlace = async (pid: number) => (await readFile(`/proc/${pid}/cgroup`, 'utf8')).match(/^\d+:pids:(.*)$/m)?.[1];

test.before(async () => {
  node = await startTestNode({ podMaxPids: String(MAX) });
  await importImages(node, ['busybox.tar']);
});
test.after.always(async () => {
  await node?.cli(['image', 'rm', 'busybox']);
  await node?.dispose();
});

test.serial('a fork bomb in a container without an image stops at the pod\'s limit; its image container runs on and the node starts pods', async (t) => {
  node = await restartTestNode(node); // the limit came back from node.json
  const bomb = await node.api.request<PodRecord>('POST', '/pods', {
    metadata: { name: 'bomb' },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'img', image: 'busybox', command: ['sleep', '600'] },
        // Host processes: no runtime sets a limit of their own on them. The subshell forks sleeps
        // until fork fails; PID 1 then becomes a sleep (exec, no fork needed).
        { name: 'host', command: ['sh', '-c', '(while :; do sleep 600 & done) 2>/dev/null; exec sleep 600'] },
      ],
    },
  });
  t.is(await pidsFile(bomb, 'pids.max'), String(MAX));
  const pod = await pidsPlace(bomb.sandbox!.pid);
  t.true(pod?.endsWith(`/pod-${bomb.uid}`), `the pause is in the pod's pids cgroup (${pod})`);
  t.is(await pidsPlace(bomb.containers[1]!.pid!), pod, 'the app without an image joined it from its first instruction');
  t.is(await pidsPlace(bomb.containers[0]!.pid!), `${pod}/img`, 'the image container is in its own, below the pod\'s');
  const refused = await waitUntil(async () => (/^max [1-9]/.test(await pidsFile(bomb, 'pids.events').catch(() => '')) ? true : undefined), { timeoutMs: 60_000, everyMs: 200 });
  t.true(refused, `a fork was refused at the pod's pids.max (${await pidsFile(bomb, 'pids.events').catch((e: Error) => e.message)})`);
  const current = Number(await pidsFile(bomb, 'pids.current'));
  t.true(current <= MAX && current >= MAX - 2, `the pod holds as many processes as it may (${current})`);
  // Joining the pod's cgroups needs no fork (a move may pass pids.max), but forking inside it does.
  const exec = await node.cli(['exec', 'bomb', '-c', 'host', '--', 'sh', '-c', 'true & wait']);
  t.not(exec.exitCode, 0, `an exec counts against the pod's limit too: ${exec.stderr}`);
  const p = await node.api.request<PodRecord>('GET', '/pods/bomb');
  t.deepEqual(p.containers.map((c) => c.state), ['Running', 'Running']);
  const after = await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'after' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '600'] }] } });
  t.is(after.phase, 'Running');
  for (const name of ['bomb', 'after']) t.is((await node.cli(['rm', '-f', name])).exitCode, 0);
  t.false(existsSync(podPidsDir(bomb)), 'the pod\'s pids cgroup went with it');
});

test.serial('--pod-max-pids that is not a whole number of at least 16 is refused before anything is made', async (t) => {
  const dir = path.join(node.dir, 'never-made');
  for (const value of ['abc', '3']) {
    const r = await execa(process.execPath, [CLI, 'daemon', '--pod-max-pids', value, '--state-dir', dir, '--run-dir', dir], { reject: false, timeout: 10_000 });
    t.is(r.exitCode, 1, value);
    t.is(r.stderr, `minipod: --pod-max-pids ${value}: give a whole number of processes of at least 16 (default 4096)`);
    const n = await execa(process.execPath, [CLI, 'node', 'start', '--dir', dir, '--pod-max-pids', value], { reject: false, timeout: 10_000 });
    t.is(n.exitCode, 1, value);
    t.regex(n.stderr, new RegExp(`--pod-max-pids ${value}: give a whole number`));
  }
  t.false(existsSync(dir));
});

test.serial('nothing is left: no cgroup in any hierarchy', async (t) => {
  await assertNodeEmpty(t, node);
});
