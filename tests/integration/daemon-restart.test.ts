// A daemon that dies (SIGKILL, at any moment) or a node that reboots loses nothing: the next
// daemon on the same state dir makes every pod whole again — re-adopted as it runs, rebuilt per
// its restart policy with the same IP, or gone — leaks nothing and never hands out an IP twice.
import { closeSync, openSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test, { type ExecutionContext } from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { parentOf } from '../../lib/process/identity.js';
import { alive, assertNodeEmpty, curl, isShim, leases, nodeLinks, nodeProcesses, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

const pod = (name: string, restartPolicy: string, app: string[] = ['sleep', 'infinity']) => ({
  metadata: { name },
  spec: { restartPolicy, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: app, ...(app[0] === 'busybox' ? { ports: [{ containerPort: 80 }] } : {}) }] },
});
const httpd = ['busybox', 'httpd', '-f', '-p', '80', '-h', '/tmp'];

/**
 * The node's mount namespace, pinned by an open descriptor until the test ends: a freed
 * namespace's inode number is soon reused (by any other node on the machine), and a pinned one
 * cannot be, so "processes still in it" stays exact.
 */
async function mntns(t: ExecutionContext, node: TestNode): Promise<string> {
  const fd = openSync(`/proc/${node.pid}/ns/mnt`, 'r');
  t.teardown(() => closeSync(fd));
  return readlink(`/proc/${node.pid}/ns/mnt`);
}

/** Processes still in an old node generation's mount namespace (a dead daemon's leftovers). */
async function processesInMount(ns: string): Promise<number[]> {
  const out: number[] = [];
  for (const e of await readdir('/proc')) {
    const pid = Number(e);
    if (pid && (await readlink(`/proc/${pid}/ns/mnt`).catch(() => '')) === ns) out.push(pid);
  }
  return out;
}

async function settledPods(node: TestNode): Promise<PodRecord[]> {
  return waitFor(async () => {
    const { pods } = await node.api.request<{ pods: PodRecord[] }>('GET', '/pods');
    const busy = pods.some((p) => !(p.phase === 'Stopped' || (p.phase === 'Running' && p.containers.every((c) => c.state === 'Running' && c.ready))));
    return busy ? undefined : pods;
  }, 'every pod Running or Stopped');
}

/** Every running pod is whole and owns exactly its lease and veth; IPs are distinct. */
async function assertWhole(t: ExecutionContext, node: TestNode, pods: PodRecord[]) {
  const running = pods.filter((p) => p.phase === 'Running');
  t.deepEqual((await leases(node)).sort(), running.map((p) => p.ip).sort(), 'leases are exactly the running pods');
  t.is(new Set(running.map((p) => p.ip)).size, running.length, 'no IP handed out twice');
  t.deepEqual((await nodeLinks(node)).filter((l) => l.startsWith('mp')).sort(), running.map((p) => p.sandbox!.hostVeth).sort());
  for (const p of running) t.is((await curl(node, `http://${p.ip}:80/`)).stdout.length > 0 || p.containers[0]!.argv[0]!.endsWith('sleep'), true);
}

test.serial('SIGKILL of the daemon: the next one re-adopts every pod as it runs, whatever its policy', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  const created = [];
  for (const [name, policy, app] of [['web', 'Always', httpd], ['job', 'OnFailure', undefined], ['once', 'Never', undefined]] as const) {
    created.push(await node.api.request<PodRecord>('POST', '/pods', pod(name, policy, app ? [...app] : undefined)));
  }
  await node.api.waitReady('web', 10_000);
  const oldPids = created.flatMap((p) => [p.sandbox!.pid, ...p.containers.map((c) => c.pid!)]);
  process.kill(node.pid, 'SIGKILL');
  await waitFor(async () => !alive(node.pid), 'the daemon to die');
  t.true(oldPids.every(alive), 'the pods outlive the daemon');

  node = await startTestNode({}, node.dir);
  const pods = await settledPods(node);
  const byName = Object.fromEntries(pods.map((p) => [p.name, p]));
  for (const before of created) {
    const after = byName[before.name]!;
    t.like(after, { phase: 'Running', ip: before.ip, mac: before.mac, sandbox: { pid: before.sandbox!.pid, attempt: 0 } });
    t.deepEqual(after.containers.map((c) => [c.pid, c.restartCount]), before.containers.map((c) => [c.pid, 0]));
  }
  for (const pid of oldPids) t.true(alive(pid), `pid ${pid} re-adopted, not restarted`);
  t.is((await curl(node, `http://${byName.web!.ip}:80/`)).exitCode, 0);
  const fresh = await node.api.request<PodRecord>('POST', '/pods', pod('fresh', 'Always'));
  t.false(created.map((p) => p.ip).includes(fresh.ip), 'a new pod gets a free IP');
  await assertWhole(t, node, await settledPods(node));
  t.is((await node.cli(['rm', '-f', 'web', 'job', 'once', 'fresh'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('reboot: processes, veths and the bridge gone, state kept: pods rebuilt, leases of the rest released', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  const web = await node.api.request<PodRecord>('POST', '/pods', pod('web', 'Always', [...httpd]));
  const once = await node.api.request<PodRecord>('POST', '/pods', pod('once', 'Never'));
  const oldMnt = await mntns(t, node);
  // Power off: every process of the node dies at once, and with them its namespaces.
  for (const pid of await processesInMount(oldMnt)) process.kill(pid, 'SIGKILL');
  await waitFor(async () => (await processesInMount(oldMnt)).length === 0, 'the node to be down');

  node = await startTestNode({}, node.dir);
  const pods = await settledPods(node);
  const byName = Object.fromEntries(pods.map((p) => [p.name, p]));
  t.like(byName.web, { phase: 'Running', ip: web.ip });
  t.like(byName.once, { phase: 'Stopped' });
  t.deepEqual(await leases(node), [web.ip], `${once.ip} released`);
  const next = await node.api.request<PodRecord>('POST', '/pods', pod('next', 'Always'));
  t.is(next.ip, once.ip, 'the released address is free again, the rebuilt pod\'s is not');
  await assertWhole(t, node, await settledPods(node));
  t.is((await node.cli(['rm', '-f', 'web', 'once', 'next'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('SIGKILL of the daemon at random moments of create, remove and recovery, 8 times: every pod whole or gone, nothing stray', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  let n = 0;
  for (let round = 0; round < 8; round++) {
    const { pods } = await node.api.request<{ pods: PodRecord[] }>('GET', '/pods');
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) ops.push(node.api.request('POST', '/pods', pod(`p${n++}`, 'Always', [...httpd])).catch(() => {}));
    const running = pods.filter((p) => p.phase === 'Running');
    if (running[0]) ops.push(node.api.request('DELETE', `/pods/${running[0].name}?force=true`).catch(() => {}));
    if (running[1]?.sandbox) ops.push(Promise.resolve().then(() => process.kill(running[1]!.sandbox!.pid, 'SIGKILL')).catch(() => {}));
    await sleep(Math.random() * 300);
    process.kill(node.pid, 'SIGKILL');
    await Promise.allSettled(ops);
    await waitFor(async () => !alive(node.pid), 'the daemon to die');
    node = await startTestNode({}, node.dir);
  }
  const pods = await settledPods(node);
  t.log(`${pods.length} pods after 8 crashes`);
  for (const p of pods) t.is(p.phase, 'Running', `${p.name} is whole`);
  await assertWhole(t, node, pods);
  // On the node: exactly the processes the records name (a dead daemon's half-made pods are gone).
  const onNode = await nodeProcesses(node, { withoutSpares: true });
  const named = new Set(pods.flatMap((p) => [p.sandbox!.pid, ...p.containers.map((c) => c.pid!)]));
  // Each app's shim, its parent, is the pod's too.
  const shims = new Set(await Promise.all(pods.flatMap((p) => p.containers.map(async (c) => (await parentOf(c.pid!))!))));
  t.deepEqual(onNode.filter((p) => !named.has(p.pid) && !(shims.has(p.pid) && isShim(p.cmd))), [], 'no process that no pod owns');
  t.is(onNode.length, named.size + shims.size, 'every pod process is there, with its app\'s shim');
  const logs = await readdir(path.join(node.stateDir, 'logs'));
  t.deepEqual(logs.sort(), pods.map((p) => p.name).sort(), 'log dirs only for pods that exist');
  t.deepEqual(JSON.parse(await readFile(path.join(node.stateDir, 'pods', `${pods[0]?.name ?? 'none'}.json`), 'utf8').catch(() => 'null'))?.building ?? null, null);
  if (pods.length) t.is((await node.cli(['rm', '-f', ...pods.map((p) => p.name)])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
