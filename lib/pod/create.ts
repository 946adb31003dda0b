// Create a pod: check, wire the sandbox (holder and veth beside the lease), then its cgroup,
// Pending record, log directory and netns name side by side, then the apps; the Running record
// and the lease synced before the answer. Each part's undo is registered before any undo runs; a
// failure undoes them in reverse.
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { MinipodError } from '../errors.js';
import { findExecutable } from '../os/tools.js';
import { podLogger } from '../log.js';
import { hostPortsOf } from '../network/hostports.js';
import { macFor } from '../network/ipam.js';
import { createSandbox, startSandbox, type Sandbox, type SandboxConfig } from '../sandbox/sandbox.js';
import { Steps } from '../sandbox/steps.js';
import { commandArgs, commandLookup } from '../manifest/command.js';
import { UndoStack } from '../sandbox/undo.js';
import { imageProgram, startContainer, stopContainer } from './containers.js';
import { beginInit } from './init.js';
import { initsOf } from './init-status.js';
import { bindName, checkNameFree, reserveName } from './netns.js';
import { isHostNetwork, podIPOf } from './host-network.js';
import { nodeAddress } from '../network/node-address.js';
import { round, type LivePod, type PodContext } from './live.js';
import { setPhase } from './state.js';
import type { PodRecord } from './types.js';
import { hostPathProblems, removePodVolumes } from './volumes.js';
import { watchHolder } from './watch.js';
import { keyOf } from '../manifest/pod-key.js';
import { checkSpace, diskError } from '../store/persist.js';

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

/** STATE/logs/KEY: the pod's key (key.ts), so two namespaces' pods of one name keep apart. */
export function logDir(ctx: PodContext, key: string): string {
  return path.join(ctx.node.stateDir, 'logs', key);
}

/**
 * The steps on the way to a wired sandbox (timings.sandboxMs): the lease beside the holder, its
 * veth and eth0. timings.phases has the others too, which follow it side by side (runPodSandbox).
 */
export const WIRING_STEPS: readonly string[] = ['accept request', 'resolve commands', 'allocate IP', 'start pause holder', 'create veth', 'configure eth0'];

export async function createPod(ctx: PodContext, live: LivePod, t0: number): Promise<PodRecord> {
  const record = live.record;
  const undo = new UndoStack();
  const steps = new Steps('create');
  const before = performance.now() - t0; // the API call's parsing and checks, before this function
  checkSpace(ctx.node.stateDir, `failed to create pod ${record.name}`);
  steps.begin('resolve commands');
  try {
    claimHostPorts(ctx, record, undo);
    await Promise.all([resolveCommands(ctx, record), checkNameFree(ctx, record)]);
    steps.pause();
    const { wiredAt, settled } = await runPodSandbox(ctx, live, undo, steps);
    const hostPortsMs = await publishHostPorts(ctx, record, undo, steps);
    const sandboxMs = (hostPortsMs === undefined ? wiredAt : performance.now()) - t0;
    await settled; // the Pending record, the cgroup, the log directory and the name, before the apps
    const phases = { 'accept request': round(before), ...steps.phases() };
    undo.push('volumes', () => removePodVolumes(ctx.node.stateDir, record.uid)); // made by the first container that mounts one
    await startPodContainers(ctx, live, record.containers.map((c) => c.name), undo, steps);

    steps.begin('persist record');
    setPhase(record, 'Running');
    record.timings = { sandboxMs: round(sandboxMs), appsMs: round(performance.now() - t0), ...(hostPortsMs === undefined ? {} : { hostPortsMs: round(hostPortsMs) }), phases };
    // Durable before the answer: the record synced, and the lease's fsync (under way since the claim) done.
    await Promise.all([ctx.store.save(record), isHostNetwork(record) ? undefined : ctx.ips.durable(record.ip)]);
    undo.disarm();
    return record;
  } catch (err) {
    steps.stop();
    const step = steps.current;
    const failure = await undo.rollback(err);
    const wrapped = new MinipodError(failure.code, step === 'resolve commands' ? failure.message : `failed to create pod ${record.name}: ${step}: ${failure.message}`, { cause: failure, details: failure.details });
    wrapped.cleanupErrors.push(...failure.cleanupErrors);
    if (wrapped.cleanupErrors.length) podLogger(record).error({ cleanupErrors: wrapped.cleanupErrors.map((e) => e.message) }, 'rollback incomplete');
    throw wrapped;
  }
}

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

/** The pod's hostPorts DNATed to its new IP (portmap's ADD, in a CNI runtime); how long that took (ms), if it has any. */
async function publishHostPorts(ctx: PodContext, record: PodRecord, undo: UndoStack, steps: Steps): Promise<number | undefined> {
  if (!ctx.hostPorts || !hostPortsOf(record).length) return undefined;
  steps.begin('publish host ports');
  undo.push('host ports', () => ctx.hostPorts!.unpublish(record));
  const t0 = performance.now();
  await ctx.hostPorts.publish(record);
  steps.end();
  return performance.now() - t0;
}

/** Reserve the pod's hostPorts before anything is made: one taken, or no NAT table to publish them in, changes nothing. */
function claimHostPorts(ctx: PodContext, record: PodRecord, undo: UndoStack): void {
  if (!hostPortsOf(record).length) return;
  if (!ctx.hostPorts) throw new MinipodError('INVALID_ARGUMENT', 'hostPort needs the node\'s NAT table: run the daemon in a node (`minipod node start`) or with --egress, with nftables installed (apt-get install nftables)');
  ctx.hostPorts.claim(record);
  undo.push('host port claim', async () => ctx.hostPorts!.release(record));
}

/** Start containers in the pod's sandbox, in order (CRI's StartContainer, each); each one's stop is on `undo` first. */
export async function startContainers(ctx: PodContext, live: LivePod, names: string[], undo: UndoStack, steps: Steps): Promise<void> {
  steps.begin('start containers');
  for (const name of names) {
    // Registered first: a container may be spawned even if starting it then fails.
    undo.push(`container ${name}`, () => stopContainer(ctx, live, name, 0));
    await startContainer(ctx, live, name);
  }
  steps.end();
}

/** The apps `names`, or, in a pod with init containers, its first one: the apps follow the last (init.ts). */
export async function startPodContainers(ctx: PodContext, live: LivePod, names: string[], undo: UndoStack, steps: Steps): Promise<void> {
  if (!initsOf(live.record).length) return startContainers(ctx, live, names, undo, steps);
  for (const c of initsOf(live.record)) live.exitedWhileBusy.delete(c.name); // an exit from the old sandbox: moot, they all run again
  await startContainers(ctx, live, [beginInit(live.record, names)], undo, steps);
}

/**
 * Find every container's program and working directory before anything is created: a missing one
 * changes nothing (otherwise the app would fail at each start, in a loop, with a spawn error). A
 * container with an image is looked up inside the image; one without, on the node.
 */
async function resolveCommands(ctx: PodContext, record: PodRecord): Promise<void> {
  const errors: string[] = [];
  const { initContainers = [], containers } = record.manifest.spec;
  const all = [...initContainers.map((c, i) => ({ c, at: `spec.initContainers[${i}]`, status: initsOf(record)[i]! })), ...containers.map((c, i) => ({ c, at: `spec.containers[${i}]`, status: record.containers[i]! }))];
  await Promise.all(
    all.map(async ({ c, at, status }) => {
      if (c.image) {
        // A missing image is no error: the container waits for it (ErrImageNeverPull, startContainer).
        const found = await imageProgram(ctx, c, at).catch((err: Error) => void errors.push(err.message));
        if (found && found !== 'missing') Object.assign(status, { argv: found.argv, image: c.image, imageID: found.image.id });
        else if (found === 'missing') status.image = c.image;
        return;
      }
      const { name, pathEnv, cwd } = commandLookup(c);
      const dir = await stat(cwd).catch(() => undefined);
      if (!dir?.isDirectory()) {
        errors.push(`${at}.workingDir: ${dir ? `"${cwd}" is not a directory` : `directory "${cwd}" does not exist`} (apps run from the host's filesystem)`);
        return;
      }
      const file = await findExecutable(name, pathEnv, cwd);
      if (!file) errors.push(`${at}.command: executable "${name}" not found (PATH=${pathEnv}, workingDir=${cwd})`);
      else status.argv = [file, ...commandArgs(c)];
    }),
  );
  errors.push(...(await hostPathProblems(record.manifest.spec.volumes)));
  if (errors.length) throw new MinipodError('INVALID_ARGUMENT', errors.join('; '), { details: errors });
}
