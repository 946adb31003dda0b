// Create a pod: check, wire the sandbox (holder and veth beside the lease), then its cgroup,
// Pending record, log directory and netns name side by side, then the apps; the Running record
// and the lease synced before the answer. Each part's undo is registered before any undo runs; a
// failure undoes them in reverse.
import { statSync, type Stats } from 'node:fs';
import { MinipodError } from '../errors.js';
import { findExecutable } from '../os/tools.js';
import { podLogger } from '../log.js';
import { hostPortsOf } from '../network/hostports.js';
import { Steps } from '../sandbox/steps.js';
import { commandArgs, commandLookup } from '../manifest/command.js';
import { UndoStack } from '../sandbox/undo.js';
import { imageProgram, startContainer, stopContainer } from './containers.js';
import { beginInit } from './init.js';
import { initsOf } from './init-status.js';
import { checkNameFree } from './netns.js';
import { isHostNetwork } from './host-network.js';
import { round, type LivePod, type PodContext } from './live.js';
import { setPhase } from './state.js';
import type { PodRecord } from './types.js';
import { hostPathProblems, removePodVolumes } from './volumes.js';
import { checkSpace } from '../store/persist.js';
import { runPodSandbox } from './sandbox-run.js';

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

/** The file's stat, or undefined if there is none to be had (gone, a path through a file, no permission). */
function statIfAny(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
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
      // At once, as its PATH candidates are looked at (tools.ts): on the way to the sandbox, where a
      // trip through the thread pool made this step 0.43 ms instead of 0.31 (medians, paired runs).
      const dir = statIfAny(cwd);
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
