// Stress (issue acceptance 7): kill the holders of 10 pods at once; kill one pod's holder 50
// times in a row, also mid-recovery. Every pod ends Running and serving, attempts and restart
// counts are exact, and nothing leaks.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test, { type ExecutionContext } from 'ava';
import type { Stats } from '../../lib/api/protocol.js';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { assertNodeEmpty, curl, daemonDescendants, isShim, leases, netnsOf, nodeLinks, startTestNode, type TestNode } from '../helpers/node.js';
import { parentOf } from '../../lib/process/identity.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;
let www: string;

test.before(async () => {
  node = await startTestNode();
  www = await mkdtemp(path.join(os.tmpdir(), 'minipod-stress-'));
  await writeFile(path.join(www, 'index.html'), 'served\n');
});
test.after.always(async () => {
  await node?.dispose();
  await rm(www, { recursive: true, force: true });
});

const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const manifest = (name: string) => ({
  metadata: { name },
  spec: {
    terminationGracePeriodSeconds: 2,
    containers: [
      { name: 'httpd', command: ['busybox', 'httpd', '-f', '-p', '80', '-h', www], ports: [{ containerPort: 80 }] },
      { name: 'sidecar', command: ['sleep', 'infinity'] },
    ],
  },
});

/** Settled: Running, every app running in the holder's namespace, no recovery pending. */
async function settled(name: string): Promise<PodRecord> {
  return waitFor(async () => {
    const p = await get(name);
    if (p.phase !== 'Running' || !p.containers.every((c) => c.state === 'Running' && c.ready)) return undefined;
    for (const c of p.containers) if ((await netnsOf(c.pid!)) !== p.sandbox!.netns) return undefined;
    return p;
  }, `pod ${name} to settle`);
}

async function eventCounts(pod: string): Promise<Map<string, number>> {
  const evs = (await node.cli(['events', pod, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
  const counts = new Map<string, number>();
  for (const e of evs) counts.set(`${e.reason}/${e.container ?? ''}`, (counts.get(`${e.reason}/${e.container ?? ''}`) ?? 0) + 1);
  return counts;
}

async function assertServing(t: ExecutionContext, p: PodRecord): Promise<void> {
  t.is((await curl(node, `http://${p.ip}/index.html`)).stdout, 'served\n', `${p.name} serves`);
}

/** Links, leases and processes are exactly those of the running pods: nothing leaked. */
async function assertExactlyPods(t: ExecutionContext, pods: PodRecord[]): Promise<void> {
  const bridged = (await node.sh(['ip', '-o', 'link', 'show', 'master', 'minipod0'])).stdout.trim().split('\n').filter(Boolean);
  t.deepEqual(bridged.map((l) => l.split(': ')[1]!.split('@')[0]).sort(), pods.map((p) => p.sandbox!.hostVeth).sort(), 'one veth per pod on the bridge');
  t.is((await nodeLinks(node)).length, 2 + pods.length, 'no other link on the node (lo, the bridge, the veths; its uplink aside)');
  t.deepEqual((await leases(node)).sort(), pods.map((p) => p.ip).sort());
  const { spareHolderPids } = await node.api.request<Stats>('GET', '/stats');
  const all = (await daemonDescendants(node.pid)).filter((p) => !spareHolderPids.includes(p.pid));
  const apps = pods.flatMap((p) => p.containers.map((c) => c.pid!));
  // Each app's shim, its parent, is the daemon's child and in the node's namespaces.
  const shims = await Promise.all(apps.map(async (pid) => (await parentOf(pid))!));
  t.true(all.filter((p) => shims.includes(p.pid)).every((p) => isShim(p.cmd)), 'each app\'s parent is its shim');
  const procs = all.filter((p) => !shims.includes(p.pid));
  const expected = pods.flatMap((p) => [p.sandbox!.pid, ...p.containers.map((c) => c.pid!)]);
  t.deepEqual(procs.map((p) => p.pid).sort(), expected.sort(), 'no stray process');
  t.is(all.length, procs.length + shims.length, 'and no stray shim');
  for (const p of procs) {
    const stat = await readFile(`/proc/${p.pid}/stat`, 'utf8').catch(() => '');
    t.false(/^\d+ \(.*\) Z/.test(stat), `no zombie: ${p.cmd}`);
  }
  const namespaces = new Set(await Promise.all(procs.map((p) => netnsOf(p.pid))));
  t.is(namespaces.size, pods.length, 'one network namespace per pod, none left over');
}

test.serial('the holders of 10 pods killed at once: all recover, exactly once each', async (t) => {
  const names = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
  for (const n of names) await node.api.request('POST', '/pods', manifest(n));
  const before = await Promise.all(names.map(settled));
  for (const p of before) process.kill(p.sandbox!.pid, 'SIGKILL');
  const after = await Promise.all(names.map(async (n) => waitFor(async () => ((await get(n)).sandbox?.attempt === 1 ? settled(n) : undefined), `${n} attempt 1`)));
  for (const [i, p] of after.entries()) {
    t.not(p.sandbox!.netns, before[i]!.sandbox!.netns);
    t.is(p.ip, before[i]!.ip);
    t.deepEqual(p.containers.map((c) => c.restartCount), [1, 1]);
    await assertServing(t, p);
  }
  t.is(new Set(after.map((p) => p.ip)).size, 10);
  await assertExactlyPods(t, after);
});

test.serial('one holder killed 50 times in a row, also mid-recovery: exact counts, nothing leaked', async (t) => {
  await node.api.request('POST', '/pods', manifest('target'));
  await settled('target');
  const killed = new Set<number>();
  let midRecovery = 0;
  while (killed.size < 50) {
    const p = await get('target');
    const pid = p.sandbox?.pid;
    // Only a holder that is alive (a zombie has no /proc/PID/ns) and not already ours to count.
    if (pid && !killed.has(pid) && (await netnsOf(pid))) {
      if (p.phase !== 'Running' || p.containers.some((c) => c.state !== 'Running')) midRecovery++;
      process.kill(pid, 'SIGKILL');
      killed.add(pid);
    }
    await sleep(Math.random() * 25);
  }
  const final = await waitFor(async () => ((await get('target')).sandbox?.attempt === 50 ? settled('target') : undefined), 'attempt 50');
  t.log(`${midRecovery} of the 50 kills hit the pod while it was still recovering`);
  t.is(final.sandbox!.attempt, 50, 'one recreation per holder killed');
  await sleep(300); // nothing more may happen
  const still = await get('target');
  t.is(still.sandbox!.attempt, 50);
  const counts = await eventCounts('target');
  t.is(counts.get('SandboxDied/'), 50);
  t.is(counts.get('SandboxCreated/'), 51);
  for (const c of still.containers) {
    t.is(c.restartCount, counts.get(`ContainerStarted/${c.name}`)! - 1, `${c.name}: one restart per start after the first`);
    t.true(c.restartCount >= 1 && c.restartCount <= 50);
  }
  await assertServing(t, still);
  const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => get(`burst-${i}`)));
  await assertExactlyPods(t, [...burst, still]);
});

test.serial('removing every pod leaves the node empty', async (t) => {
  const { pods } = await node.api.request<{ pods: PodRecord[] }>('GET', '/pods');
  t.is((await node.cli(['rm', '-f', ...pods.map((p) => p.name)])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
