// A pod's sandbox as a create makes it (CRI's RunPodSandbox): the lease beside the pause holder
// and its veth, eth0 once both are there, then its cgroup, Pending record, log directory and netns
// name side by side. The network config and the events are a recovery's too (recover/recreate.ts).
import { mkdir, rm } from 'node:fs/promises';
import { podLogger } from '../log.js';
import { macFor } from '../network/ipam.js';
import { nodeAddress } from '../network/node-address.js';
import { keyOf } from '../manifest/pod-key.js';
import { createSandbox, startSandbox, type Sandbox, type SandboxConfig } from '../sandbox/sandbox.js';
import type { Steps } from '../sandbox/steps.js';
import type { UndoStack } from '../sandbox/undo.js';
import { diskError } from '../store/persist.js';
import { isHostNetwork, podIPOf } from './host-network.js';
import type { LivePod, PodContext } from './live.js';
import { bindName, reserveName } from './netns.js';
import { logDir } from './record.js';
import type { PodRecord } from './types.js';
import { watchHolder } from './watch.js';

/** The network a pod's sandbox gets: the pod's own IP and MAC, on the node's bridge. */
export function sandboxConfig(r: PodRecord): SandboxConfig {
  return { hostname: r.name, ip: r.ip, prefix: r.prefix, gateway: r.gateway, mac: r.mac, bridge: r.bridge };
}

/** SandboxCreated and NetworkReady, for a first sandbox or one that replaced `was`. */
export function recordSandboxReady(ctx: PodContext, r: PodRecord, sandbox: Sandbox, was?: string): void {
  if (isHostNetwork(r)) {
    ctx.events.record(r, 'SandboxCreated', `pause ${sandbox.pid} holds the pod's IPC namespace${was ? ` (was pause ${was})` : ''}; network and hostname are the node's (hostNetwork)`);
    ctx.events.record(r, 'NetworkReady', `hostNetwork: the node's ${sandbox.netns}, pod IP ${podIPOf(r)} (the node's), no veth`);
    return;
  }
  ctx.events.record(r, 'SandboxCreated', `pause ${sandbox.pid} holds ${sandbox.netns}${was ? ` (was ${was})` : ''}`);
  ctx.events.record(r, 'NetworkReady', `eth0 ${r.ip}/${r.prefix} (${r.mac}) via ${r.gateway}, host veth ${sandbox.hostVeth} on ${r.bridge}`);
}

/**
 * The steps on the way to a wired sandbox (timings.sandboxMs): the lease beside the holder, its
 * veth and eth0. timings.phases has the others too, which follow it side by side (runPodSandbox).
 */
export const WIRING_STEPS: readonly string[] = ['accept request', 'resolve commands', 'allocate IP', 'start pause holder', 'create veth', 'configure eth0'];

/**
 * The pod's sandbox, before any container (CRI's RunPodSandbox): an IP leased, a cgroup, a pause
 * holder, the Pending record naming them, the log directory, the veth and eth0, the `ip netns`
 * name; watched from then on. Each part's undo is on `undo` before any undo runs (`track`).
 *
 * Side by side, as nothing orders them: the lease, and the holder then its veth (which needs no
 * address: the holder sets eth0's MAC). eth0 is configured once the address is leased: the
 * sandbox is wired, and this returns. Then, side by side, the cgroup, the Pending record, the log
 * directory and the name (bound once reserved) are `settled`, which the apps wait for: on two
 * cores, work beside the veth and eth0 only slowed them.
 * A daemon killed anywhere in between leaves only what its next start removes: the holder is in
 * the pool's register until the record names it, and its veth dies with its namespace; leases,
 * cgroups, log directories and names that no record names are orphans (pod/gc.ts). No step waits
 * for an fsync: the record and the lease are synced before the create answers.
 */
export async function runPodSandbox(ctx: PodContext, live: LivePod, undo: UndoStack, steps: Steps): Promise<{ sandbox: Sandbox; wiredAt: number; settled: Promise<unknown> }> {
  const record = live.record;
  const hostNetwork = isHostNetwork(record);
  // Undone last, in this order whatever finished first: the cgroup (which kills whatever the pod
  // started wherever it went), then the address, never free while anything of the pod could use it.
  undo.push('IP lease', async () => {
    if (!record.ip) return;
    await ctx.ips.release(record.ip, record.uid);
    record.ip = ''; // a record kept after a failed rollback must not release it again: it may be another pod's by then
  });
  undo.push('cgroup', () => ctx.node.cgroups.remove(record.uid)); // with whatever got into it; none yet is no error
  const leased = steps.run('allocate IP', () => leaseAddress(ctx, record));
  const started = startSandbox(ctx.pool, undo, steps, { pidNamespace: record.manifest.spec.shareProcessNamespace, hostNetwork }).then((start) => {
    record.building = { pid: start.pid, startTime: start.startTime, netns: start.netns, hostVeth: start.hostVeth };
    return start;
  });
  const addressed = leased.then(() => sandboxConfig(record));
  addressed.catch(() => {}); // a failed lease is reported by steps.all
  let wiredAt = 0;
  const wired = started.then(async (start) => {
    const sandbox = await createSandbox(ctx.ip, start, record.bridge, addressed, undo, steps);
    wiredAt = performance.now(); // before anything below runs
    return sandbox;
  });
  // What the apps need and the network does not, once the network is wired: on two cores, work
  // beside the veth and eth0 only slowed them.
  const after = wired.then(() => {});
  const cgroup = after.then(() => steps.run('create cgroup', () => ctx.node.cgroups.create(record.uid)));
  // The holder does not fork: moving it after its start is race-free, and it need not wait for it.
  const adopted = Promise.all([cgroup, started]).then(([, start]) => void ctx.node.cgroups.adopt(record.uid, start.pid).catch((err: Error) => podLogger(record).warn({ err: err.message }, 'could not move the pause holder into the pod\'s cgroup')));
  const saved = Promise.all([started, after]).then(([start]) =>
    steps.run('persist record', async () => {
      undo.push('pod record', async () => void (await ctx.store.remove(keyOf(record))));
      await ctx.store.save(record, { fsync: false }); // Pending, naming the holder and veth; synced Running at the end
      await ctx.pool.owned(start.pid);
    }),
  );
  const logs = logDir(ctx, keyOf(record));
  const logsMade = after.then(() =>
    steps.run('create log directory', async () => {
      undo.push('log directory', () => rm(logs, { recursive: true, force: true }));
      await mkdir(logs, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
        throw diskError(err, logs, ctx.node.stateDir);
      });
    }),
  );
  const named = Promise.all([wired, after.then(() => reserveName(ctx, record, undo, steps))]).then(([sandbox]) => bindName(ctx, record, sandbox, steps));
  const settled = steps.all([saved, cgroup, adopted, logsMade, named] as const);
  settled.catch(() => {}); // awaited by the caller, or by a rollback (tracked)
  undo.track(settled);

  const [sandbox] = await steps.all([wired, leased] as const);
  live.holder = sandbox.proc;
  record.sandbox = { pid: sandbox.pid, startTime: record.building!.startTime, netns: sandbox.netns, attempt: 0, hostVeth: sandbox.hostVeth, createdAt: new Date().toISOString() };
  record.building = null;
  watchHolder(ctx, live, sandbox.proc);
  undo.push('holder watch', async () => void (live.holder = null)); // a rollback's stop is no death
  recordSandboxReady(ctx, record, sandbox);
  // The spare taken is replaced now, not after the answer: its new network namespace would
  // otherwise be made while the next create, sent at once, makes its veth (both need the rtnl lock).
  ctx.pool.refill();
  return { sandbox, wiredAt, settled };
}

/** The pod's address: a lease (its owner written and synced meanwhile, awaited before the create answers), or the node's own for hostNetwork. */
async function leaseAddress(ctx: PodContext, record: PodRecord): Promise<void> {
  if (isHostNetwork(record)) {
    record.hostIP = await nodeAddress(ctx.ip.ipPath, ctx.node.subnet.gateway); // no lease: the node's own
    return;
  }
  record.ip = await ctx.ips.allocate(record.uid);
  record.mac = macFor(record.ip);
}
