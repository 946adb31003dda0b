// A full disk wedges nothing (issue point 4). The node's state directory is a small tmpfs
// mounted inside the node's mount namespace (the daemon restarted onto it), filled to the last
// page before each step: a create fails cleanly, stop and rm -f still stop the apps and free the
// kernel objects, a sandbox recovery retries without leaking pause holders, a daemon restart
// re-adopts; once space returns everything converges and the records are written.
import path from 'node:path';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { alive, assertNodeEmpty, nodeLinks, nodeProcesses, restartTestNode, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;
let state: string;
let fillers = 0;

test.before(async () => {
  node = await startTestNode();
  state = node.stateDir;
  const m = await node.sh(['mount', '-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'minipod-test-state', state]);
  if (m.exitCode !== 0) throw new Error(`mount tmpfs: ${m.stderr}`);
  node = await restartTestNode(node); // a daemon whose state is on the tmpfs from its start
});
test.after.always(async () => {
  if (node) await node.sh(['umount', '--lazy', state]);
  await node?.dispose();
});

const sleeper = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });
const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const pods = async () => (await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods;
const names = async () => (await pods()).map((p) => p.name).sort();
const events = async (pod: string) => (await node.cli(['events', pod, '--json'])).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as PodEvent);
/** Inside the node: what the tmpfs holds (the test's own view of the path is the disk below it). */
const inside = async (dir: string) => (await node.sh(['find', path.join(state, dir), '-mindepth', '1', '-printf', '%f\\n'])).stdout.split('\n').filter(Boolean).sort();
const recordOnDisk = async (name: string) => JSON.parse((await node.sh(['cat', path.join(state, 'pods', `${name}.json`)])).stdout) as PodRecord;

/** Fill the tmpfs to the last page (what a step freed, e.g. a lease, is taken again). */
async function fill(): Promise<void> {
  const r = await node.sh(['dd', 'if=/dev/zero', `of=${path.join(state, `filler-${fillers++}`)}`, 'bs=4k']);
  if (!/No space left on device/.test(r.stderr)) throw new Error(`dd did not fill the disk: ${r.stderr}`);
}

/** Pause holders of pods on the node (the spare excluded), by pid. */
async function podHolders(): Promise<number[]> {
  return (await nodeProcesses(node, { withoutSpares: true })).filter((p) => /\/pause -n$/.test(p.cmd)).map((p) => p.pid).sort();
}

/** Every pause holder on the node is a pod's current sandbox: none leaked (checked until it holds). */
async function noLeakedHolders(): Promise<void> {
  await waitFor(async () => {
    const expected = (await pods()).flatMap((p) => (p.phase === 'Running' && p.sandbox ? [p.sandbox.pid] : [])).sort();
    return JSON.stringify(await podHolders()) === JSON.stringify(expected);
  }, 'no pause holder but the running pods\' ones', 20_000, 50);
}

test.serial('the state directory is the tmpfs; pods are created while there is room', async (t) => {
  t.is((await node.sh(['findmnt', '-n', '-o', 'FSTYPE', state])).stdout.trim(), 'tmpfs');
  for (const name of ['a', 'b', 'c', 'd']) await node.api.request('POST', '/pods', sleeper(name));
  t.deepEqual(await names(), ['a', 'b', 'c', 'd']);
  t.deepEqual(await inside('pods'), ['a.json', 'b.json', 'c.json', 'd.json']);
});

test.serial('a create on a full disk fails with what to free, and leaves nothing', async (t) => {
  const holders = await podHolders();
  const leases = await inside('leases');
  await fill();
  const r = await node.cli(['run', 'e', '-c', 'app=sleep 1000']);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, new RegExp(`^minipod: failed to create pod e: no space left on device under ${state} \\(\\d+ KiB free\\): free space there\\n$`));
  t.deepEqual(await names(), ['a', 'b', 'c', 'd']);
  t.deepEqual(await inside('leases'), leases);
  t.false((await inside('pods')).includes('e.json'));
  t.deepEqual(await podHolders(), holders);
});

test.serial('stop on a full disk stops the apps and frees the veth, holder and lease', async (t) => {
  const a = await get('a');
  await fill();
  const r = await node.cli(['stop', 'a']);
  t.is(r.exitCode, 0, r.stderr);
  t.like(await get('a'), { phase: 'Stopped', ip: '', sandbox: null });
  for (const pid of [a.sandbox!.pid, a.containers[0]!.pid!]) t.false(alive(pid), `pid ${pid} stopped`);
  t.false((await nodeLinks(node)).includes(a.sandbox!.hostVeth));
  t.false((await inside('leases')).includes(a.ip));
  // …and rm of the stopped pod, still full.
  await fill();
  t.is((await node.cli(['rm', 'a'])).exitCode, 0);
  t.false((await names()).includes('a'));
  t.false((await inside('pods')).includes('a.json'));
  t.false((await inside('logs')).includes('a'));
});

test.serial('rm -f of a running pod on a full disk leaves none of it', async (t) => {
  const b = await get('b');
  await fill();
  const r = await node.cli(['rm', '-f', 'b']);
  t.is(r.exitCode, 0, r.stderr);
  t.false((await names()).includes('b'));
  for (const pid of [b.sandbox!.pid, b.containers[0]!.pid!]) t.false(alive(pid), `pid ${pid} stopped`);
  t.false((await nodeLinks(node)).includes(b.sandbox!.hostVeth));
  t.false((await inside('leases')).includes(b.ip));
  t.false((await inside('pods')).includes('b.json'));
  t.false((await inside('logs')).includes('b'));
});

test.serial('a holder killed on a full disk: the recovery fails, retries with back-off, and leaks no holder', async (t) => {
  const c = await get('c');
  await fill();
  t.is((await node.cli(['kill', 'c', '--sandbox'])).exitCode, 0);
  const failures = await waitFor(async () => {
    const failed = (await events('c')).filter((e) => e.reason === 'FailedCreatePodSandBox');
    return failed.length >= 2 && failed;
  }, 'two failed recoveries of c', 30_000, 100);
  // Checked before anything is stopped or made: the apps keep what is left of the old sandbox.
  t.regex(failures[0]!.message, new RegExp(`^recreate sandbox: no space left on device under ${state} \\(\\d+ KiB free\\): free space there; retrying in 1s$`));
  t.regex(failures[1]!.message, /retrying in 2s$/);
  t.like(await get('c'), { phase: 'SandboxLost' });
  t.false(alive(c.sandbox!.pid));
  await noLeakedHolders();
});

test.serial('node restart on a full disk: the running pod is re-adopted, the lost one still retried', async (t) => {
  const d = await get('d');
  await fill();
  node = await restartTestNode(node);
  await fill(); // whatever the new daemon's start freed
  const after = await get('d');
  t.like(after, { phase: 'Running', sandbox: { pid: d.sandbox!.pid, netns: d.sandbox!.netns } });
  t.is(after.containers[0]!.pid, d.containers[0]!.pid);
  t.true((await events('d')).some((e) => e.reason === 'Restored'));
  // c's holder died before the restart: the new daemon rebuilds it, and cannot yet (events are
  // the new daemon's own: they live in memory).
  await waitFor(async () => (await events('c')).some((e) => e.reason === 'FailedCreatePodSandBox'), 'a failed recovery of c by the new daemon', 30_000, 100);
  t.not((await get('c')).phase, 'Running');
  await noLeakedHolders();
});

test.serial('once space returns, everything converges: c runs again, every record is written', async (t) => {
  await node.sh(['find', state, '-maxdepth', '1', '-name', 'filler-*', '-delete']);
  const c = await waitFor(async () => {
    const p = await get('c');
    return p.phase === 'Running' && p.containers[0]!.state === 'Running' && p;
  }, 'c running again', 60_000, 100);
  t.true(c.sandbox!.attempt >= 1);
  for (const name of ['c', 'd']) {
    const live = await get(name);
    const disk = await waitFor(async () => {
      const r = await recordOnDisk(name);
      return r.phase === live.phase && r.sandbox?.pid === live.sandbox?.pid && r.containers[0]!.pid === live.containers[0]!.pid && r;
    }, `${name}'s record written`, 20_000, 100);
    t.is(disk.phase, 'Running');
  }
  await noLeakedHolders();
});

test.serial('a daemon shutdown that stops the pods on a full disk stops them all; the next daemon carries on', async (t) => {
  const before = await pods();
  await fill();
  await node.api.request('POST', '/shutdown', { stopPods: true });
  await waitFor(async () => !alive(node.pid), 'the daemon to exit', 60_000);
  for (const p of before) for (const pid of [p.sandbox!.pid, ...p.containers.map((c) => c.pid!)]) t.false(alive(pid), `${p.name}: pid ${pid} stopped`);
  t.deepEqual((await nodeLinks(node)).sort(), ['lo', 'minipod0']);
  // What the disk took is Stopped to the next daemon; what it refused is still Running there,
  // and rebuilt as after a reboot. Either way each pod settles, and nothing leaks.
  await node.sh(['find', state, '-maxdepth', '1', '-name', 'filler-*', '-delete']);
  node = await startTestNode({}, node.dir);
  await waitFor(async () => (await pods()).every((p) => p.phase === 'Stopped' || (p.phase === 'Running' && p.containers.every((c) => c.state === 'Running'))), 'every pod Stopped or Running', 30_000, 100);
  t.deepEqual(await names(), ['c', 'd']);
  t.log((await pods()).map((p) => `${p.name} ${p.phase}`).join(', '));
  await noLeakedHolders();
  t.is((await node.cli(['rm', '-f', 'c', 'd'])).exitCode, 0);
  t.deepEqual(await inside('pods'), []);
  t.deepEqual(await inside('leases'), []);
  t.deepEqual(await inside('logs'), []);
  t.is((await node.sh(['umount', state])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
