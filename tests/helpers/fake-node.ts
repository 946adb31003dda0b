// A whole node on the fake host (lib/os/fake.ts), for unit tests of the pod verbs without root:
// the real PodManager, store, leases, pool, ip -batch framing and pidwatch protocol, over a
// simulated kernel whose journal says what each verb did. The host is process-wide: tests that
// use this must be `test.serial` (ava runs each file in its own process).
import type { HostPorts } from '../../lib/network/hostports.js';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { EventLog } from '../../lib/supervisor/events.js';
import { FakeHost, type FakeProcess } from '../../lib/os/fake.js';
import { useHost } from '../../lib/os/host.js';
import { IpBatch } from '../../lib/os/ip-batch.js';
import { validateManifest } from '../../lib/manifest/parse.js';
import { parseSubnet } from '../../lib/network/ipam.js';
import type { PodCgroups } from '../../lib/cgroup/pods.js';
import { PodManager } from '../../lib/pod/manager.js';
import { HolderPool } from '../../lib/sandbox/pool.js';
import { LeaseStore } from '../../lib/store/leases.js';
import { PodStore } from '../../lib/store/pod-store.js';
import { Supervisor } from '../../lib/supervisor/supervisor.js';
import { Unsupervised } from '../../lib/supervisor/unsupervised.js';
import type { PodManifest } from '../../lib/manifest/pod-spec.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { log } from '../../lib/log.js';
import { tempDir } from './temp.js';

// The verbs log every step; a unit test's output is its assertions (MINIPOD_LOG_LEVEL=debug to see them).
if (!process.env.MINIPOD_LOG_LEVEL) log.level = 'silent';

export const CGROUPS = '/fake/cgroup/minipod';

/** The pod cgroups made on each fake host: they outlive a daemon, as the kernel's do. */
const cgroupTables = new WeakMap<FakeHost, Set<string>>();

/** Pod cgroups kept in the fake's table: each call journaled ("cgroup create pod-UID"). */
export function fakeCgroups(fake: FakeHost): PodCgroups {
  const dir = (uid: string) => `${CGROUPS}/pod-${uid}`;
  const made = cgroupTables.get(fake) ?? new Set<string>();
  cgroupTables.set(fake, made);
  const note = (what: string, uid: string) => fake.journal.push(`cgroup ${what} pod-${uid}`);
  const members = (uid: string) => [...fake.procs.values()].filter((p) => p.cgroup === dir(uid));
  return {
    parent: CGROUPS,
    dir,
    wrap: (uid, argv) => [fake.tools.cgexec, dir(uid), ...argv],
    create: async (uid) => void (note('create', uid), made.add(uid)),
    adopt: async (uid, pid) => {
      const p = fake.procs.get(pid);
      if (p) p.cgroup = dir(uid);
    },
    kill: async (uid) => {
      note('kill', uid);
      const dying = members(uid).map((p) => p.pid);
      for (const pid of dying) fake.kill(pid, 'SIGKILL');
      return dying;
    },
    remove: async (uid) => {
      note('remove', uid);
      for (const p of members(uid)) fake.kill(p.pid, 'SIGKILL');
      made.delete(uid);
    },
    pids: async (uid) => members(uid).map((p) => p.pid),
    list: async () => [...made].map((uid) => ({ uid, dir: dir(uid) })),
  };
}

export interface FakeNode {
  fake: FakeHost;
  pods: PodManager;
  events: EventLog;
  store: PodStore;
  leases: LeaseStore;
  cgroups: PodCgroups;
  stateDir: string;
  /** Every event reason recorded, in order. */
  reasons(): string[];
  /** `rm` as the API answers it: once the intent is on disk, before the teardown is done (pods.remove waits for it). */
  answered(name: string, force: boolean): Promise<void>;
}

/** `hostPorts`: where they are published (the fake host's nft answers for the maps then). */
export async function fakeNode(t: ExecutionContext, options: { supervise?: boolean; fake?: FakeHost; stateDir?: string; hostPorts?: HostPorts; subnet?: string; housekeepLater?: boolean; network?: Promise<unknown> } = {}): Promise<FakeNode> {
  const fake = options.fake ?? new FakeHost();
  const restore = useHost(fake, fake.tools);
  const stateDir = options.stateDir ?? (await tempDir(t, 'minipod-fake-'));
  const subnet = parseSubnet(options.subnet ?? '10.88.0.0/16');
  const ip = new IpBatch(fake.tools.ip);
  const ipTeardown = new IpBatch(fake.tools.ip);
  const store = new PodStore(stateDir, subnet);
  const leases = new LeaseStore(stateDir);
  await store.init();
  await leases.init();
  const cgroups = fakeCgroups(fake);
  const events = new EventLog();
  const reasons: string[] = [];
  events.on('event', (e: { reason: string }) => reasons.push(e.reason));
  const pods = new PodManager({
    node: { name: 'fake-node', stateDir, netnsDir: path.join(stateDir, 'run-netns'), bridge: 'minipod0', subnet, cgroups },
    ip, ipTeardown, pool: new HolderPool(stateDir, false), store, leases, events,
    backoff: { baseMs: 10, maxMs: 40, resetAfterMs: 60_000 },
    supervise: (ctx, registry) => ((options.supervise ?? true) ? new Supervisor(ctx, registry) : new Unsupervised(ctx)),
    ...(options.hostPorts ? { hostPorts: options.hostPorts } : {}),
  });
  await pods.init(undefined, { housekeepLater: options.housekeepLater, ...(options.network ? { network: options.network } : {}) });
  // `rm` is answered before its teardown is done: the tests check the kernel calls of all of it.
  const remove = pods.remove.bind(pods);
  pods.remove = async (name, force) => {
    await remove(name, force);
    await pods.removalsDone();
  };
  t.teardown(async () => {
    // Once what is in flight has settled (its records written): the temp dir goes next.
    await pods.detachAll().catch(() => {});
    ip.close();
    ipTeardown.close();
    restore();
  });
  return { fake, pods, events, store, leases, cgroups, stateDir, reasons: () => [...reasons], answered: remove };
}

/**
 * Make `ip -o link show master BR` (how boot, restore and gc list a bridge's ports) answer from
 * the fake's links (fake.links: what ip -batch made, plus what a test puts there).
 */
export function showBridgeLinks(fake: FakeHost): void {
  fake.commands.set('ip', (argv) => {
    const master = argv.includes('show') ? argv[argv.indexOf('master') + 1] : undefined;
    const ports = [...fake.links].filter(([, m]) => m === master).map(([name]) => name);
    return ports.map((name, i) => `${i + 10}: ${name}@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master ${master} state UP mode DEFAULT\n`).join('');
  });
}

/**
 * What the node holds beyond the daemon and its long-lived helpers (ip -batch, pidwatch), one
 * line each: processes, namespace pins, cgroups, leases, records, log directories, holder
 * register entries, `ip netns` names, their registry and namespace mounts. Empty when no pod left anything behind.
 */
export async function leftovers({ fake, cgroups, stateDir }: FakeNode): Promise<string[]> {
  const helper = (p: FakeProcess) => p === fake.self || p.exe === fake.tools.pidwatch || (p.exe === fake.tools.ip && p.argv.includes('-batch'));
  const files = async (dir: string) => (await readdir(path.join(stateDir, dir)).catch(() => [])).filter((f) => !f.startsWith('.'));
  return [
    // A shim's argv names temp paths: it is shown by its program alone.
    ...[...fake.procs.values()].filter((p) => !helper(p)).map((p) => `process ${p.pid} ${p.exe === fake.tools.shim ? 'shim' : p.argv.join(' ')}`),
    ...[...fake.pins].map((p) => `pin ${p.ns}`),
    ...(await cgroups.list()).map((c) => `cgroup ${c.dir}`),
    ...(await files('leases')).map((f) => `lease ${f}`),
    ...(await files('pods')).map((f) => `record ${f}`),
    ...(await files('logs')).map((f) => `logs ${f}`),
    ...(await files('holders')).map((f) => `holder register ${f}`),
    ...(await files('nsenter')).map((f) => `shim files ${f}`),
    ...(await files('run-netns')).map((f) => `netns name ${f}`),
    ...(await files('netns')).map((f) => `netns registry ${f}`),
    ...fake.mountinfo.split('\n').filter((l) => l.includes(' - nsfs ')).map((l) => `nsfs mount ${l.split(' ')[4]}`),
  ];
}

/** A one-container pod manifest running `sleep 1000` from the fake's /usr/bin. */
export function sleepPod(name = 'web', extra: Record<string, unknown> = {}): PodManifest {
  return validateManifest({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', command: ['sleep', '1000'] }], ...extra } });
}

/**
 * Whether `expected` occur in `lines` in that order (not necessarily next to each other), each a
 * whole line or a pattern; fails the test naming the first one missing, with the lines.
 */
export function assertInOrder(t: ExecutionContext, lines: readonly string[], expected: readonly (string | RegExp)[]): void {
  let at = 0;
  for (const e of expected) {
    const i = lines.findIndex((l, k) => k >= at && (typeof e === 'string' ? l === e : e.test(l)));
    if (i < 0) return void t.fail(`${String(e)} missing after line ${at} of:\n${lines.map((l, k) => `${k}: ${l}`).join('\n')}`);
    at = i + 1;
  }
  t.pass();
}

/** Opt-in: each lease taken or released is written to the journal ("lease release 10.88.0.2"), among the kernel steps. */
export function journalLeases({ fake, leases }: FakeNode): void {
  const { acquire, release } = leases;
  leases.acquire = (ip, owner) => (fake.journal.push(`lease acquire ${ip}`), acquire.call(leases, ip, owner));
  leases.release = (ip) => (fake.journal.push(`lease release ${ip}`), release.call(leases, ip));
}

/** The journal from index `from` on (lines starting with one of prefixes, if any), without the spawn of a long-lived `ip -batch` (made on first use, whenever that is). */
export function journalSince(fake: FakeHost, from: number, ...prefixes: string[]): string[] {
  return fake.journal.slice(from).filter((l) => l !== 'spawn ip -force -batch -' && (!prefixes.length || prefixes.some((p) => l.startsWith(p))));
}

/** The journal kinds of a pod's teardown (journalSince prefixes): pins, signals, veth deletes (by ip, or by the kernel with the namespace), cgroups, leases (journalLeases). */
export const TEARDOWN = ['pin', 'unpin', 'kill', 'ip link del', 'kernel frees veth', 'cgroup', 'lease'];

/** What TEARDOWN shows of stopping a running one-app pod whose app ends on SIGTERM (stop, rm -f), in order. */
export function teardownJournal(r: PodRecord): string[] {
  const { pid: holder, netns, hostVeth } = r.sandbox!;
  const app = r.containers[0]!.pid!;
  return [`pin ${netns}`, `kill -${app} SIGTERM`, `kill -${app} SIGCONT`, `kill -${holder} SIGTERM`, `kill -${holder} SIGCONT`, `unpin ${netns}`, `kernel frees veth ${hostVeth}`, `cgroup remove pod-${r.uid}`, `lease release ${r.ip}`];
}
