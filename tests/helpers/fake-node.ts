// A whole node on the fake host (lib/os/fake.ts), for unit tests of the pod verbs without root:
// the real PodManager, store, leases, pool, ip -batch framing and pidwatch protocol, over a
// simulated kernel whose journal says what each verb did. The host is process-wide: tests that
// use this must be `test.serial` (ava runs each file in its own process).
import type { ExecutionContext } from 'ava';
import { EventLog } from '../../lib/supervisor/events.js';
import { FakeHost } from '../../lib/os/fake.js';
import { useHost } from '../../lib/os/host.js';
import { IpBatch } from '../../lib/os/ip-batch.js';
import { validateManifest } from '../../lib/manifest/parse.js';
import { parseSubnet } from '../../lib/network/ipam.js';
import type { PodCgroups } from '../../lib/cgroup/pods.js';
import { PodManager } from '../../lib/pod/manager.js';
import { HolderPool } from '../../lib/sandbox/pool.js';
import { LeaseStore } from '../../lib/store/leases.js';
import { PodStore } from '../../lib/store/pod-store.js';
import type { PodManifest } from '../../lib/manifest/pod-spec.js';
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
      for (const p of members(uid)) fake.kill(p.pid, 'SIGKILL');
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
}

export async function fakeNode(t: ExecutionContext, options: { supervise?: boolean; fake?: FakeHost; stateDir?: string } = {}): Promise<FakeNode> {
  const fake = options.fake ?? new FakeHost();
  const restore = useHost(fake, fake.tools);
  const stateDir = options.stateDir ?? (await tempDir(t, 'minipod-fake-'));
  const subnet = parseSubnet('10.88.0.0/16');
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
    node: { stateDir, bridge: 'minipod0', subnet, cgroups },
    ip, ipTeardown, pool: new HolderPool(stateDir, false), store, leases, events,
    backoff: { baseMs: 10, maxMs: 40, resetAfterMs: 60_000 },
    supervise: options.supervise ?? true,
  });
  await pods.init();
  t.teardown(async () => {
    // Once what is in flight has settled (its records written): the temp dir goes next.
    await pods.detachAll().catch(() => {});
    ip.close();
    ipTeardown.close();
    restore();
  });
  return { fake, pods, events, store, leases, cgroups, stateDir, reasons: () => [...reasons] };
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
