// gc on the fake host: what no pod record owns — a veth on the bridge, a lease, logs, a pause
// holder in our mount namespace, a pod cgroup, a namespace mount, a volume directory — is listed with where it came
// from, removed with fix (and at a daemon start), and a second gc finds nothing; the pods' own
// objects are never touched; a hostPort map element no pod publishes is listed and deleted too.
// No root: the kernel is lib/os/fake.ts.
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { HostPorts } from '../../../lib/network/hostports.js';
import { FakeHost } from '../../../lib/os/fake.js';
import type { RunOptions } from '../../../lib/os/types.js';
import type { Orphan } from '../../../lib/pod/gc.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { CGROUPS, fakeNode, showBridgeLinks, sleepPod, type FakeNode } from '../../helpers/fake-node.js';
import { waitFor } from '../../helpers/wait.js';

const GHOST_UID = 'ghostghostghostghost01'.slice(0, 21);
const exists = (file: string) => access(file).then(() => true, () => false);

/** One orphan of each kind, as a crash or a failed cleanup leaves them; what a test checks after. */
async function litter(n: FakeNode) {
  const { fake, stateDir } = n;
  fake.links.set('mpdeadbeef00', 'minipod0'); // a pod veth no record names
  fake.links.set('eth9', 'minipod0'); // somebody's own port: not a pod veth, never ours to remove
  await writeFile(path.join(stateDir, 'leases', '10.88.0.99'), `${GHOST_UID}\n`);
  await mkdir(path.join(stateDir, 'logs', 'ghost'), { recursive: true });
  await mkdir(path.join(stateDir, 'volumes', GHOST_UID, 'cache'), { recursive: true }); // an emptyDir
  await writeFile(path.join(stateDir, 'volumes', GHOST_UID, '.pod'), 'ghost\n');
  const holderNs = fake.newNs('net');
  const holder = fake.add({ argv: [fake.tools.pause, '-n'], ns: { net: holderNs } });
  const inHolder = fake.add({ argv: ['/usr/bin/sleep', '100'], ns: { net: holderNs } });
  await n.cgroups.create(GHOST_UID);
  const inCgroup = fake.add({ argv: ['/usr/bin/sleep', '200'], cgroup: `${CGROUPS}/pod-${GHOST_UID}` });
  const mountedNs = fake.newNs('net');
  fake.mountinfo = `612 29 0:4 ${mountedNs} /tmp/pinned\\040ns rw shared:1 - nsfs nsfs rw\n`;
  fake.commands.set('umount', () => (fake.mountinfo = ''));
  return { holder, holderNs, inHolder, inCgroup, mountedNs };
}

/** Orphans as kind and name, in a stable order. */
const found = (orphans: Orphan[]) => orphans.map((o) => `${o.kind} ${o.name}`).sort();

/** The pod's own objects are all still there. */
function assertPodIntact(t: import('ava').ExecutionContext, n: FakeNode, r: PodRecord): void {
  t.is(n.pods.get(r.name).phase, 'Running');
  t.true(n.fake.procs.has(r.sandbox!.pid), 'its holder runs');
  t.true(n.fake.procs.has(r.containers[0]!.pid!), 'its app runs');
  t.is(n.fake.links.get(r.sandbox!.hostVeth), 'minipod0', 'its veth is on the bridge');
}

test.serial('gc lists what no pod owns, each with where it came from; fix removes it and a second gc finds nothing', async (t) => {
  const n = await fakeNode(t);
  showBridgeLinks(n.fake);
  const r = structuredClone(await n.pods.create(sleepPod()));
  t.deepEqual(await n.pods.gc(false), [], 'a node with one pod has no orphans');
  const l = await litter(n);
  const { stateDir } = n;

  const orphans = await n.pods.gc(false);
  t.deepEqual(found(orphans), [
    `cgroup ${CGROUPS}/pod-${GHOST_UID}`,
    `holder pid ${l.holder.pid} ${l.holderNs}`,
    `lease 10.88.0.99`,
    `logs ${path.join(stateDir, 'logs', 'ghost')}`,
    'mount /tmp/pinned ns',
    'veth mpdeadbeef00',
    `volume ${path.join(stateDir, 'volumes', GHOST_UID)}`,
  ]);
  const byKind = Object.fromEntries(orphans.map((o) => [o.kind, o]));
  t.like(byKind.holder, { netns: l.holderNs });
  t.regex(byKind.holder!.origin, /a pause holder that holds no pod's sandbox/);
  t.like(byKind.cgroup, { uid: GHOST_UID });
  t.regex(byKind.cgroup!.origin, new RegExp(`pod uid ${GHOST_UID}, which no record names; it still holds ${l.inCgroup.pid} \\(/usr/bin/sleep 200\\)`));
  t.regex(byKind.lease!.origin, new RegExp(`leased to pod uid ${GHOST_UID}, which no longer exists`));
  t.regex(byKind.logs!.origin, /logs of a pod that no longer exists/);
  t.regex(byKind.veth!.origin, /a pod veth on minipod0 that no pod record names/);
  t.is(byKind.volume!.origin, `the emptyDir volumes (cache) of pod ghost uid ${GHOST_UID}, which no pod record names (a crash mid-create or mid-removal)`);
  t.like(byKind.mount, { kept: true });
  t.regex(byKind.mount!.origin, new RegExp(`keeps ${l.mountedNs.replace(/[[\]]/g, '\\$&')} alive with no process in it`));
  t.true(await exists(path.join(stateDir, 'logs', 'ghost')), 'listing removes nothing');
  t.true(n.fake.procs.has(l.holder.pid));

  const mark = n.fake.journal.length;
  t.deepEqual(found(await n.pods.gc(true)), found(orphans));
  const steps = n.fake.journal.slice(mark);
  t.true(steps.includes('ip link del mpdeadbeef00'));
  t.true(steps.includes('run umount --lazy /tmp/pinned ns'));
  t.true(steps.includes(`cgroup remove pod-${GHOST_UID}`));
  for (const p of [l.holder, l.inHolder, l.inCgroup]) t.true(steps.includes(`kill ${p.pid} SIGKILL`), `${p.argv.join(' ')} is killed`);
  await waitFor(async () => ![l.holder, l.inHolder, l.inCgroup].some((p) => n.fake.procs.has(p.pid)), 'the orphan holder, what it held and what the cgroup held to exit');
  t.false(n.fake.links.has('mpdeadbeef00'));
  t.true(n.fake.links.has('eth9'), 'a port that is not a pod veth is left alone');
  t.false(await exists(path.join(stateDir, 'leases', '10.88.0.99')));
  t.false(await exists(path.join(stateDir, 'logs', 'ghost')));
  t.false(await exists(path.join(stateDir, 'volumes', GHOST_UID)));
  t.deepEqual((await n.cgroups.list()).map((c) => c.uid), [r.uid]);
  t.is(n.events.list('(node)').filter((e) => e.reason === 'OrphanRemoved').length, 7);

  t.deepEqual(await n.pods.gc(false), [], 'a second gc finds nothing');
  assertPodIntact(t, n, r);
  t.true(await exists(path.join(stateDir, 'leases', r.ip)), 'its lease is kept');
  t.true(await exists(path.join(stateDir, 'logs', 'web')), 'its logs are kept');
});

/** A daemon gone, leaving its pod running and, beside it, one orphan of each kind (litter). */
async function leftWithLitter(t: import('ava').ExecutionContext) {
  const first = await fakeNode(t);
  showBridgeLinks(first.fake);
  const r = structuredClone(await first.pods.create(sleepPod()));
  await first.pods.detachAll();
  first.fake.daemonGone();
  return { first, r, l: await litter(first) };
}

test.serial('a daemon start removes the orphans left while none ran (a namespace mount only listed), and re-adopts the pod', async (t) => {
  const { first, r, l } = await leftWithLitter(t);

  const next = await fakeNode(t, { fake: first.fake, stateDir: first.stateDir });
  t.deepEqual(found(await next.pods.gc(false)), ['mount /tmp/pinned ns'], 'a mount may be somebody\'s own on a shared host: gc --fix removes it, a start does not');
  await waitFor(async () => ![l.holder, l.inHolder, l.inCgroup].some((p) => next.fake.procs.has(p.pid)), 'the orphan processes to exit');
  t.is(next.events.list('(node)').filter((e) => e.reason === 'OrphanRemoved').length, 6);
  assertPodIntact(t, next, r);
  t.like(next.pods.get('web').containers[0], { pid: r.containers[0]!.pid, restartCount: 0 });
});

test.serial('after a clean handoff the housekeeping runs once asked: a pod made before it, and what it made, is no orphan; gc waits for it; a lease of a pod\'s address is given back', async (t) => {
  const { first, r, l } = await leftWithLitter(t);
  await writeFile(path.join(first.stateDir, 'leases', r.ip), `${GHOST_UID}\n`); // the pod's address, another's lease

  const next = await fakeNode(t, { fake: first.fake, stateDir: first.stateDir, housekeepLater: true });
  t.true(next.pods.housekeepingPending());
  t.true(next.fake.procs.has(l.holder.pid), 'the orphan holder waits for the housekeeping');
  assertPodIntact(t, next, r);
  const late = await next.pods.create(sleepPod('late')); // its holder, veth, lease, cgroup, logs: none read before
  await next.pods.housekeep();
  t.false(next.pods.housekeepingPending());
  await waitFor(async () => ![l.holder, l.inHolder, l.inCgroup].some((p) => next.fake.procs.has(p.pid)), 'the orphan processes to exit');
  assertPodIntact(t, next, r);
  assertPodIntact(t, next, late);
  t.is(await readFile(path.join(first.stateDir, 'leases', r.ip), 'utf8'), `${r.uid}\n`, 'the lease is the pod\'s again');
  t.true(await exists(path.join(first.stateDir, 'leases', late.ip)));
  t.is(next.events.list('web').find((e) => e.reason === 'LeaseRestored')?.message, `the lease of ${r.ip} was not this pod's (leased to pod uid ${GHOST_UID}, which no longer exists): made again from the pod's record`);
  t.deepEqual(found(await next.pods.gc(false)), ['mount /tmp/pinned ns']);
});

test.serial('a quarantined Deployment record is listed with why, kept at start, removed by fix', async (t) => {
  const n = await fakeNode(t);
  const dir = path.join(n.stateDir, 'deployments');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'web.json.corrupt'), '{');
  await writeFile(path.join(dir, 'web.json.corrupt.why'), 'not a JSON Deployment record\n');
  const [orphan] = await n.pods.gc(false);
  t.like(orphan, { kind: 'record', name: path.join(dir, 'web.json.corrupt'), kept: true });
  t.regex(orphan!.origin, /a Deployment record that failed validation, .*: not a JSON Deployment record/);
  await n.pods.gc(true);
  t.false(await exists(path.join(dir, 'web.json.corrupt')));
  t.false(await exists(path.join(dir, 'web.json.corrupt.why')));
});

test.serial('the volumes of a quarantined pod record are marked kept (a daemon start leaves them, as its logs); fix removes them', async (t) => {
  const n = await fakeNode(t);
  await writeFile(path.join(n.stateDir, 'pods', 'web.json.corrupt'), '{');
  const vols = path.join(n.stateDir, 'volumes', GHOST_UID);
  await mkdir(path.join(vols, 'data'), { recursive: true });
  await writeFile(path.join(vols, '.pod'), 'web\n');
  const volume = (await n.pods.gc(false)).find((o) => o.kind === 'volume');
  t.like(volume, { name: vols, kept: true });
  t.regex(volume!.origin, /of pod web uid \S+, which no pod record names .*; kept: the record of pod web is quarantined$/);
  await n.pods.gc(true);
  t.false(await exists(vols));
});

/** The fake's nft, for the hostPort maps only: `-j list map`, and flush map / add / delete element transactions. */
function fakeNft(fake: FakeHost): Map<string, string> {
  const elems = new Map<string, string>(); // "MAP KEY" → VALUE
  Object.assign(fake.tools, { nft: '/usr/sbin/nft' });
  const run = fake.run.bind(fake);
  const concat = (s: string) => ({ concat: s.split(' . ').map((w) => (/^\d+$/.test(w) ? Number(w) : w)) });
  fake.run = async (argv: readonly string[], o?: RunOptions) => {
    await run(argv, o);
    if (argv.includes('-j')) {
      const map = argv.at(-1)!;
      const mine = [...elems].filter(([k]) => k.startsWith(`${map} `)).map(([k, v]) => [concat(k.slice(map.length + 1)), concat(v)]);
      return JSON.stringify({ nftables: [{ metainfo: {} }, { map: { name: map, elem: mine } }] });
    }
    for (const line of (o?.input ?? '').split('\n').filter(Boolean)) {
      const flush = /^flush map ip minipod (\S+)$/.exec(line);
      if (flush) for (const k of elems.keys()) if (k.startsWith(`${flush[1]} `)) elems.delete(k);
      if (flush) continue;
      const [, verb, map, list] = /^(add|delete) element ip minipod (\S+) \{ (.*) \}$/.exec(line)!;
      for (const e of list!.split(', ')) {
        const [key, value] = e.split(' : ');
        if (verb === 'add') elems.set(`${map} ${key}`, value!);
        else elems.delete(`${map} ${key}`);
      }
    }
    return '';
  };
  return elems;
}

test.serial('a hostPort mapping no pod publishes is listed with its map, key and pod IP; fix deletes it, the pod\'s stays', async (t) => {
  const fake = new FakeHost();
  const elems = fakeNft(fake);
  const n = await fakeNode(t, { fake, hostPorts: new HostPorts() });
  const r = await n.pods.create(sleepPod('web', { containers: [{ name: 'app', command: ['sleep', '1000'], ports: [{ containerPort: 80, hostPort: 8080 }] }] }));
  t.deepEqual([...elems], [['hostports tcp . 8080', `${r.ip} . 80`]]);
  t.deepEqual(await n.pods.gc(false), [], 'the pod\'s own mapping is no orphan');
  elems.set('hostports tcp . 9999', '10.88.0.250 . 80');
  const [orphan, ...rest] = await n.pods.gc(false);
  t.deepEqual(rest, []);
  t.like(orphan, { kind: 'hostport', name: 'hostports tcp . 9999 : 10.88.0.250 . 80' });
  t.regex(orphan!.origin, /^an element of map hostports in table ip minipod that DNATs tcp \. 9999 to 10\.88\.0\.250 \. 80, which no pod owns: no pod has pod IP 10\.88\.0\.250/);
  await n.pods.gc(true);
  t.deepEqual([...elems], [['hostports tcp . 8080', `${r.ip} . 80`]]);
  t.deepEqual(await n.pods.gc(false), [], 'a second gc finds nothing');
});
