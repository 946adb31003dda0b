// A pod sandbox: a pause holder in new namespaces plus its veth, wired and addressed.
// Cost: one spawn (the holder, usually started ahead by the pool) and one line to the
// long-lived `ip -batch`.
import { MinipodError } from '../errors.js';
import type { IpBatch } from '../os/ip-batch.js';
import type { Proc } from '../os/host.js';
import { newHostVethName } from '../network/names.js';
import { createVeth, deleteVeth } from '../network/veth.js';
import { linkGone } from '../network/link-gone.js';
import type { Watchable } from '../process/exit.js';
import { stopProcess } from '../process/stop.js';
import { readNamespace } from '../process/namespace.js';
import { startTimeOf } from '../process/identity.js';
import { holderAlive, startHolderIn, type Holder } from './pause.js';
import type { HolderPool } from './pool.js';
import type { Steps } from './steps.js';
import { waitForNamespace } from './wait.js';
import type { UndoStack } from './undo.js';

/** The pod's side of its network: what its holder sets on eth0. */
export interface PodNetwork {
  hostname: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
}

export interface SandboxConfig extends PodNetwork {
  bridge: string;
}

export interface Sandbox {
  proc: Proc;
  pid: number;
  netns: string;
  hostVeth: string;
  /** ms until the holder's namespaces existed, then until eth0 was wired and routed. */
  sandboxMs: number;
  networkMs: number;
  /** The holder bind-mounts its own network namespace on a file (its `ip netns` name), then is released. */
  bindNetns?: (file: string) => Promise<void>;
  release?: () => void;
}

/** The holder exits 0 on SIGTERM at once; anything slower is stuck. */
const HOLDER_GRACE_MS = 2000;

/** A sandbox about to be built: its holder exists, its veth name is chosen, nothing else yet. */
export interface SandboxStart {
  holder: Holder;
  pid: number;
  startTime: string | null;
  netns: string;
  /** '' for a hostNetwork pod: its holder is in the node's network namespace, there is no veth. */
  hostVeth: string;
  ms: number;
}

/**
 * First step of a sandbox: a holder (the pool's spare, usually) and a veth name. Until a pod
 * record names it, the holder stays in the pool's register, so a daemon that dies meanwhile leaves
 * nothing a restarted one cannot find: the holder is stopped, and its veth dies with its namespace.
 */
export async function startSandbox(pool: HolderPool, undo: UndoStack, steps: Steps, { pidNamespace = false, hostNetwork = false } = {}): Promise<SandboxStart> {
  const t0 = performance.now();
  const holder = await steps.run('start pause holder', async () => {
    const holder = await pool.take({ pidNamespace, hostNetwork });
    undo.push(`pause ${holder.pid}`, async () => {
      await stopProcess(holder.proc, HOLDER_GRACE_MS);
      await pool.owned(holder.pid); // stopped: nothing left for the register to find
    });
    holder.netns ??= await readNamespace(holder.pid);
    if (!holder.netns || !holderAlive(holder)) throw new MinipodError('COMMAND_FAILED', `pause holder ${holder.pid} died at start`);
    return holder;
  });
  const startTime = holder.startTime ?? (await startTimeOf(holder.pid)) ?? null;
  return { holder, pid: holder.pid, startTime, netns: holder.netns!, hostVeth: hostNetwork ? '' : newHostVethName(), ms: performance.now() - t0 };
}

/**
 * Wire a started sandbox: its veth on `bridge`, then eth0 configured by the holder once `net` is
 * known (a create leases the address while the veth is made). Each part's undo is on `undo`
 * before the part is made.
 */
export async function createSandbox(ip: IpBatch, start: SandboxStart, bridge: string, net: PodNetwork | Promise<PodNetwork>, undo: UndoStack, steps: Steps): Promise<Sandbox> {
  const { holder, hostVeth } = start;
  const t1 = performance.now();
  // hostNetwork (as containerd's NamespaceMode NODE): the node's network is there already.
  if (!hostVeth) return { proc: holder.proc, pid: holder.pid, netns: start.netns, hostVeth, sandboxMs: start.ms, networkMs: 0 };
  await steps.run('create veth', async () => {
    // Registered first: a failed `link add` may still have made the link.
    undo.push(`veth ${hostVeth}`, () => deleteVeth(ip, hostVeth));
    await createVeth(ip, { hostName: hostVeth, bridge, sandboxPid: holder.pid });
  });
  await steps.run('configure eth0', async () => {
    const cfg = await net; // a create's lease, a recovery's old name unmounted: a failure there fails this step
    await holder.configure({ hostname: cfg.hostname, address: `${cfg.ip}/${cfg.prefix}`, gateway: cfg.gateway, mac: cfg.mac });
    if (!holderAlive(holder)) throw new MinipodError('COMMAND_FAILED', `pause holder ${holder.pid} died while its sandbox was being built`);
  });
  return { proc: holder.proc, pid: holder.pid, netns: start.netns, hostVeth, sandboxMs: start.ms, networkMs: performance.now() - t1, bindNetns: (file) => holder.bind(file), release: () => holder.release() };
}

/**
 * Rejoin: a new holder entering the namespaces that `member` (a surviving app) still keeps
 * alive. The veth, address and routes are untouched, so apps and their connections survive.
 */
export async function rejoinSandbox(member: number, netns: string): Promise<{ proc: Proc; pid: number }> {
  const holder = startHolderIn(member);
  if (!(await waitForNamespace(holder.pid, netns))) {
    await stopProcess(holder.proc, HOLDER_GRACE_MS);
    throw new MinipodError('COMMAND_FAILED', `new holder could not join ${netns} through pid ${member}`);
  }
  return holder;
}

/** Idempotent teardown of what createSandbox made: the veth first, then the holder. */
export async function deleteSandbox(ip: IpBatch, sandbox: { proc: Watchable | null; hostVeth: string }): Promise<void> {
  await deleteVeth(ip, sandbox.hostVeth);
  if (sandbox.proc) await stopHolder(sandbox.proc);
}

/** SIGTERM (the pause unmounts the names it bound, then exits at once), SIGKILL if it is stuck. */
export const stopHolder = (proc: Watchable): Promise<void> => stopProcess(proc, HOLDER_GRACE_MS).then(() => {});

/** The kernel frees a dead namespace's veth in tens of ms (more under load, or with hundreds
 * going at once); still there after this, something else holds the namespace. */
const KERNEL_TEARDOWN_MS = 3000;

/**
 * The veth of a sandbox whose namespace has nothing left in it (holder and apps gone, names
 * unmounted): the kernel deletes it with the namespace, batched with every other namespace dying
 * then, as floor C has it. Done once the link is gone, so its name and address are never reused
 * before; deleted by hand if it is still there after KERNEL_TEARDOWN_MS.
 */
export async function vethGone(ip: IpBatch, hostVeth: string): Promise<void> {
  if (hostVeth && !(await linkGone(hostVeth, KERNEL_TEARDOWN_MS))) await deleteVeth(ip, hostVeth);
}
