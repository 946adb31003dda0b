// A pod sandbox: a pause holder in new namespaces plus its veth, wired and addressed.
// Cost: one spawn (the holder) and one line to the long-lived `ip -batch`.
import { MinipodError } from '../errors.js';
import type { IpBatch } from '../exec/ip-batch.js';
import type { Proc } from '../exec/run.js';
import { newHostVethName } from '../network/names.js';
import { createVeth, deleteVeth } from '../network/veth.js';
import { stopProcess } from '../process/stop.js';
import { readNamespace } from './netns.js';
import { startPause } from './pause.js';
import type { UndoStack } from './undo.js';

export interface SandboxConfig {
  hostname: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
  bridge: string;
}

export interface Sandbox {
  proc: Proc;
  pid: number;
  netns: string;
  hostVeth: string;
}

/** The holder exits 0 on SIGTERM at once; anything slower is stuck. */
const HOLDER_GRACE_MS = 2000;

/** Build a sandbox; each part's undo is on `undo` before the next part is made. */
export async function createSandbox(ip: IpBatch, cfg: SandboxConfig, undo: UndoStack, step: (name: string) => void): Promise<Sandbox> {
  step('start pause holder');
  const holder = await startPause(cfg.hostname, { address: `${cfg.ip}/${cfg.prefix}`, gateway: cfg.gateway });
  undo.push(`pause ${holder.pid}`, async () => void (await stopProcess(holder.proc, HOLDER_GRACE_MS)));

  step('create veth');
  const hostVeth = newHostVethName();
  // Registered first: a failed `link add` may still have made the link.
  undo.push(`veth ${hostVeth}`, () => deleteVeth(ip, hostVeth));
  await createVeth(ip, { hostName: hostVeth, bridge: cfg.bridge, sandboxPid: holder.pid, mac: cfg.mac });

  step('configure eth0');
  await holder.configureNetwork();

  const netns = await readNamespace(holder.pid);
  if (!netns) throw new MinipodError('COMMAND_FAILED', `pause holder ${holder.pid} died while its sandbox was being built`);
  return { proc: holder.proc, pid: holder.pid, netns, hostVeth };
}

/** Idempotent teardown of what createSandbox made: the veth first, then the holder. */
export async function deleteSandbox(ip: IpBatch, sandbox: { proc: Proc | null; hostVeth: string }): Promise<void> {
  await deleteVeth(ip, sandbox.hostVeth);
  if (sandbox.proc) await stopProcess(sandbox.proc, HOLDER_GRACE_MS);
}
