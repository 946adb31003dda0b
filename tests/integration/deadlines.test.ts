// Nothing waits forever: a stopped (SIGSTOP) spare holder, pod holder or pidwatch helper cannot
// hang `run`, `stop` or `rm -f`, nor hide a holder's death. Every process is checked from
// outside (/proc); every wait here is bounded.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { Stats } from '../../lib/api/protocol.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { statFields } from '../../lib/process/identity.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { alive, assertNodeEmpty, childrenOf, restartTestNode, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

/** Long enough for the pidwatch ping deadline (3 s), a restart and a recovery, with room to spare. */
const WAIT_MS = 30_000;

const inspect = (node: TestNode, name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const events = async (node: TestNode, pod: string) => (await node.cli(['events', pod, '--json'])).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as PodEvent);

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGSTOP pid and wait until /proc shows it stopped (state T). */
async function stop(pid: number): Promise<void> {
  signal(pid, 'SIGSTOP');
  await waitFor(async () => (await statFields(pid))?.[0] === 'T', `pid ${pid} to be stopped`, WAIT_MS);
}

/** Start a pod of one `sleep` and wait until it runs. */
async function runSleeper(node: TestNode, name: string): Promise<PodRecord> {
  const r = await node.cli(['run', name, '-c', 'app=sleep 1000']);
  if (r.exitCode !== 0) throw new Error(`run ${name}: ${r.stderr}`);
  return inspect(node, name);
}

/** The daemon's pidwatch helper, once it runs. */
async function pidwatchOf(node: TestNode, not: number[] = []): Promise<number> {
  return waitFor(async () => (await childrenOf(node.pid)).find((p) => /rootfs\/pidwatch\/pidwatch$/.test(p.cmd) && !not.includes(p.pid) && alive(p.pid))?.pid, `a pidwatch helper of daemon ${node.pid}${not.length ? ` other than ${not.join(', ')}` : ''}`, WAIT_MS);
}

test.serial('stopped spare holders are discarded: run succeeds with a fresh one and the stopped ones are gone', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  const spares = await waitFor(async () => {
    const pids = (await node.api.request<Stats>('GET', '/stats')).spareHolderPids;
    return pids.length === 2 ? pids : undefined;
  }, 'two spare holders', WAIT_MS);
  for (const spare of spares) await stop(spare);

  const pod = await runSleeper(node, 'after-stopped-spare');
  t.is(pod.phase, 'Running');
  t.false(spares.includes(pod.sandbox!.pid), 'the pod has a fresh holder, not a stopped spare');
  for (const spare of spares) {
    await waitFor(async () => !alive(spare), `the stopped spare ${spare} to end`, WAIT_MS);
    await waitFor(async () => !(await readdir(path.join(node.stateDir, 'holders'))).includes(String(spare)), `the stopped spare ${spare} to leave the holder register`, WAIT_MS);
  }

  t.is((await node.cli(['rm', '-f', 'after-stopped-spare'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

/** `stop` the first pod, then `rm -f` both: each finishes, every process of theirs is gone, nothing leaks. */
async function stopAndRemove(t: ExecutionContext, node: TestNode, pods: [PodRecord, PodRecord]): Promise<void> {
  const stopped = await node.cli(['stop', pods[0].name]);
  t.is(stopped.exitCode, 0, stopped.stderr);
  t.is((await inspect(node, pods[0].name)).phase, 'Stopped');
  const removed = await node.cli(['rm', '-f', ...pods.map((p) => p.name)]);
  t.is(removed.exitCode, 0, removed.stderr);
  for (const pid of pods.flatMap((p) => [p.sandbox!.pid, ...p.containers.map((c) => c.pid!)])) t.false(alive(pid), `pid ${pid} is gone`);
  await assertNodeEmpty(t, node);
}

test.serial('a stopped pause holder does not hang stop or rm -f; nothing leaks', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  const pods: [PodRecord, PodRecord] = [await runSleeper(node, 'stopped-holder-a'), await runSleeper(node, 'stopped-holder-b')];
  for (const p of pods) await stop(p.sandbox!.pid);
  await stopAndRemove(t, node, pods);
});

/** Wait until pod `name` runs on a new sandbox, attempt `attempt`, after a SandboxRecreated event. */
async function recreated(node: TestNode, name: string, attempt: number): Promise<{ pod: PodRecord; event: PodEvent }> {
  const event = await waitFor(async () => (await events(node, name)).find((e) => e.reason === 'SandboxRecreated'), `SandboxRecreated for ${name}`, WAIT_MS);
  const pod = await waitFor(async () => {
    const p = await inspect(node, name);
    return p.phase === 'Running' && p.sandbox!.attempt === attempt && p.containers.every((c) => c.state === 'Running') && p;
  }, `${name} Running on its new sandbox`, WAIT_MS);
  return { pod, event };
}

test.serial('after a node restart, a stopped pidwatch does not hide an adopted holder death: the sandbox is recreated, a new pidwatch runs', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  const victim = await runSleeper(node, 'adopted');
  const other = await runSleeper(node, 'other'); // stays adopted, so the daemon keeps needing a pidwatch
  node = await restartTestNode(node);
  const watcher = await pidwatchOf(node);
  await stop(watcher);

  signal(victim.sandbox!.pid, 'SIGKILL');
  const { pod, event } = await recreated(node, 'adopted', 1);
  t.regex(event.message, new RegExp(`pause ${victim.sandbox!.pid} `));
  t.not(pod.sandbox!.netns, victim.sandbox!.netns);
  t.is(pod.ip, victim.ip);
  await waitFor(async () => !alive(watcher), `the stopped pidwatch ${watcher} to be killed`, WAIT_MS);
  const replacement = await pidwatchOf(node, [watcher]);

  // The new pidwatch hears the next adopted death.
  signal(other.sandbox!.pid, 'SIGKILL');
  await recreated(node, 'other', 1);
  t.true(alive(replacement), 'the replacement pidwatch still runs');
  t.is((await node.cli(['rm', '-f', 'adopted', 'other'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('with pidwatch and the adopted holders stopped, stop and rm -f still finish; nothing leaks', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  const pods: [PodRecord, PodRecord] = [await runSleeper(node, 'frozen-a'), await runSleeper(node, 'frozen-b')];
  node = await restartTestNode(node);
  await stop(await pidwatchOf(node));
  for (const p of pods) await stop(p.sandbox!.pid);
  await stopAndRemove(t, node, pods);
});
