// Boot restore: what a daemon does at start with what the last one left. Quarantined records and
// state files are reported, every pod re-registered; a running pod is re-adopted as it runs
// (restore.ts) and supervised again, one caught mid-way through an operation has that operation
// finished. What no pod needs for that (the orphans, each adopted sandbox's tidying) is returned as
// the boot's housekeeping (housekeeping.ts), for the daemon to run before or after it answers.
import type { IpAllocator } from '../network/allocator.js';
import { bridgePorts } from '../network/bridge.js';
import { podLogger } from '../log.js';
import { ProcessScan } from '../process/sweep.js';
import { forEachAtMost } from '../util/parallel.js';
import { DNS_LABEL } from '../manifest/names.js';
import type { Supervision } from './supervision.js';
import { housekeep, type Housekeeping, type Tidy } from './housekeeping.js';
import { newLivePod, NODE_SUBJECT, withLock, type LivePod, type PodContext } from './live.js';
import type { PodRegistry } from './registry.js';
import { removeLocked } from './remove.js';
import { oneAddressEach } from './one-address.js';
import { adoptPod, clearPod, RESTORE_PARALLEL, type Adoption, type NodeView } from './restore.js';
import { setPhase } from './state.js';
import { stopPod } from './stop.js';

/** What the store's loadAll gives. */
export type Loaded = Awaited<ReturnType<PodContext['store']['loadAll']>>;

export interface Boot {
  ctx: PodContext;
  pods: PodRegistry;
  ips: IpAllocator;
  supervisor: Supervision;
}

/** What the caller started already (the daemon, beside its network and state): the pass over /proc, bridges' ports, the network. */
export interface Started {
  scan?: Promise<ProcessScan>;
  ports?: ReadonlyMap<string, Promise<string[]>>;
  /**
   * Settles once the node's bridge and NAT table are made. A pod is observed and adopted
   * meanwhile; what its restore does on the node beyond that waits for it: a stop or removal
   * finished (in its restore's place), a rebuild (its recovery waits: recover.ts, as one for a
   * death heard meanwhile does), the exits settled (after the restores: a container restarted, a
   * pod ended). Should the network fail, the boot fails once the pods are adopted: their records
   * may have been written and their lost containers' bundles removed, as any boot does.
   */
  network?: Promise<unknown>;
}

/** Register every pod the store holds and restore those not Stopped; returns the boot's housekeeping, for the caller to run (manager.ts init). */
export async function bootPods({ ctx, pods, ips, supervisor }: Boot, loaded?: Loaded, started: Started = {}): Promise<Housekeeping> {
  const read = loaded ?? (await ctx.store.loadAll());
  // Valid each, but two naming one address: one keeps it, the others are quarantined.
  const { kept: records, refused } = oneAddressEach(read.records, (ip) => ctx.leases.owner(ip));
  const quarantined = [...read.quarantined];
  for (const { record, issue } of refused) quarantined.push(await ctx.store.quarantineRecord(record, [issue]));
  for (const q of quarantined) {
    ctx.events.record(DNS_LABEL.test(q.name) ? { name: q.name, uid: '-' } : NODE_SUBJECT, 'RecordQuarantined', `${q.file}: moved aside and never run, it fails validation: ${q.issues.join('; ')} (\`minipod gc\` lists it)`, { type: 'Warning' });
  }
  // The bridges' ports, read once: restore looks for the veths records name, the housekeeping for
  // those no record names. Asked first, `ip` answering while this thread reads /proc: a leftover
  // holder's veth (a create cut short) is then among them, an orphan removed by the housekeeping,
  // where the kernel may or may not have deleted it yet (a link already gone is no error).
  const bridges = [...new Set([ctx.node.bridge, ...records.map((r) => r.bridge)])];
  const portsRead = Promise.all(bridges.map(async (b) => [b, new Set(await (started.ports?.get(b) ?? bridgePorts(ctx.ip, b)))] as const));
  portsRead.catch(() => {}); // awaited below
  // One pass over /proc, before the daemon answers, for everything below and the housekeeping:
  // nothing started once it answers (a pod's holder, an exec) is in it, so nothing of that is
  // ever taken for an orphan or a stray.
  const scan = await (started.scan ?? ProcessScan.take());
  // The register is emptied now, before this daemon's pool registers its own spares.
  const leftovers = await ctx.pool.takeLeftovers();
  for (const why of leftovers.rejected) ctx.events.record(NODE_SUBJECT, 'StateFileRejected', `${why}: removed, not trusted`, { type: 'Warning' });
  const ports = new Map<string, ReadonlySet<string>>(await portsRead);
  // An address a record names is its pod's: a lease lost since is made again, never handed out
  // (and one an orphan's lease holds is given back to the pod by the housekeeping: gc.ts).
  for (const { held: r, err } of await ips.load(records)) {
    // A stop or removal cut short after it released the address: its teardown, resumed below, releases it again.
    if (r.deletionTimestamp || r.phase === 'Terminating' || r.phase === 'Pending') continue;
    ctx.events.record(r, 'LeaseRestored', `the lease of ${r.ip} was gone (deleted, or damaged and removed): ${err ? `could not write it again (${err.message}); the address stays this pod's while this daemon runs` : 'made again from the pod\'s record'}`, { type: 'Warning' });
  }
  const view: NodeView = { ports, scan, network: (started.network ?? Promise.resolve()).then(() => true, () => false) };
  const boot = { ctx, pods, ips, supervisor };
  const queue: LivePod[] = [];
  for (const record of records) {
    const live = newLivePod(record);
    pods.add(live);
    if (record.phase !== 'Stopped' || record.deletionTimestamp) queue.push(live);
  }
  const tidying: Tidy[] = [];
  const acts: { live: LivePod; act: () => void }[] = [];
  // Several pods at a time: a restore mostly waits (its record's fsync, /proc, cgroups, pidwatch),
  // and each pod is restored under its own lock, as pods are created side by side.
  await forEachAtMost(queue, RESTORE_PARALLEL, async (live) => {
    const restored = await restore(boot, live, view).catch((err: Error) => void podLogger(live.record).error({ err: err.message }, 'restore failed'));
    if (restored?.tidy) tidying.push({ live, tidy: restored.tidy });
    if (restored?.act) acts.push({ live, act: restored.act });
  });
  // Exits settled once the network is made, after the restores (none holds a restore's place meanwhile).
  if (await view.network) {
    for (const { live, act } of acts) {
      try {
        act();
      } catch (err) {
        podLogger(live.record).error({ err: (err as Error).message }, 'restore failed');
      }
    }
  }
  return () => housekeep(ctx, pods, { holders: leftovers.holders, scan, ports: ports.get(ctx.node.bridge)!, tidying });
}

/** What a pod adopted leaves for later: its tidying (the housekeeping's), and its exits to settle once the node's network is made. */
interface Restored {
  tidy?: Adoption['tidy'];
  act?: () => void;
}

/**
 * A pod the last daemon left. A running one is re-adopted as it runs (restore.ts) and
 * supervised again; one whose sandbox died meanwhile is rebuilt per its restart policy. A
 * creation that never finished is removed, a removal or stop under way is finished.
 */
async function restore({ ctx, pods, supervisor }: Boot, live: LivePod, view: NodeView): Promise<Restored | undefined> {
  const r = live.record;
  if (r.phase === 'Pending' || r.deletionTimestamp || r.phase === 'Terminating') {
    if (!(await view.network)) return undefined; // the boot fails, saying why (manager.ts init)
    const message = `daemon restarted: ${await clearPod(ctx, live, view.scan)} process(es) of the last daemon's sandbox stopped`;
    live.terminating = true;
    if (r.phase === 'Terminating' && !r.deletionTimestamp) return void (await withLock(live, () => stopPod(ctx, live, 'stop finished after a daemon restart')));
    // A creation that never returned, or a removal under way: the pod is made entirely gone.
    const pending = r.phase === 'Pending';
    ctx.events.record(r, pending ? 'CreateInterrupted' : 'RemoveResumed', `${message}; the ${pending ? 'unfinished' : 'removed'} pod is removed`, { type: 'Warning' });
    return void (await withLock(live, () => removeLocked(ctx, pods, live)));
  }
  // Under the pod's lock: a death heard while adopting is handled once the adoption is done.
  const a = await withLock(live, () => adoptPod(ctx, live, view));
  const parts = [a.adoptHolder ? `pause ${r.sandbox!.pid}` : null, ...a.adopt.map((n) => `${n} ${r.containers.find((c) => c.name === n)!.pid}`)].filter(Boolean);
  ctx.events.record(r, 'Restored', `daemon restarted: re-adopted ${parts.length ? parts.join(', ') : 'nothing'} (pid and start time checked)`);
  for (const name of a.lost) {
    const c = r.containers.find((s) => s.name === name)!;
    const how = c.reason === 'Unknown' ? 'status unknown' : c.signal ? `with ${c.signal}, kept by its shim` : `with code ${c.exitCode}, kept by its shim`;
    ctx.events.record(r, 'ContainerDied', `exited while the daemon was down (${how})`, { type: c.exitCode === 0 ? 'Normal' : 'Warning', container: name });
  }
  for (const name of a.pending) ctx.events.record(r, 'RestartResumed', 'ended before the last daemon restarted it: decided again per restartPolicy', { container: name });
  if (a.rebuild) {
    if (r.phase !== 'SandboxLost') setPhase(r, 'SandboxLost');
    supervisor.sandboxLost(live, a.rebuild); // its recovery waits for the node's network (recover.ts)
    return undefined;
  }
  supervisor.resumeBackoff(live);
  await ctx.store.persist(r); // a full disk does not stop a restore: written once it can be
  // An exit settled may restart a container or end the pod (its sandbox stopped, its hostPorts unmapped).
  return { tidy: a.tidy, act: () => supervisor.settleExits(live) };
}
