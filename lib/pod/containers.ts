// A pod's app processes: start one inside the current sandbox, stop one, and record how it
// ended. What happens after an unexpected exit is the supervisor's decision (ctx.onContainerExit).
import { commandArgs, commandLookup, containerEnv, expandArgv, imageUser } from '../manifest/command.js';
import type { PodFields } from '../manifest/env.js';
import type { ContainerSpec } from '../manifest/pod-spec.js';
import { containerResources } from '../manifest/resources.js';
import { startNewRun } from '../logs/files.js';
import { effectiveSecurity, NON_ROOT_MESSAGE, runAs } from '../manifest/security.js';
import { findInImage } from '../runtime/image-files.js';
import { runtimeOf } from '../runtime/types.js';
import { MinipodError } from '../errors.js';
import type { Watchable } from '../process/exit.js';
import { onExit } from '../process/exit.js';
import type { LivePod, PodContext, ResolvedImage } from './live.js';
import { allContainers } from './init-status.js';
import { isHostNetwork, podIPOf } from './host-network.js';
import type { ContainerStatus, PodRecord } from './types.js';
import { containerBinds } from './volumes.js';

/** The pod as the downward API gives it (manifest/env.ts): a container's env and `exec`'s. */
export function podFields(ctx: PodContext, r: PodRecord): PodFields {
  return { name: r.name, namespace: r.namespace, uid: r.uid, podIP: podIPOf(r), nodeName: ctx.node.name, labels: r.manifest.metadata.labels ?? {} };
}

/** An app's or an init container's status (one set of names for both). */
export function containerStatus(live: LivePod, name: string): ContainerStatus {
  return allContainers(live.record).find((c) => c.name === name)!;
}

/** An app's or an init container's spec. */
export function containerSpec(r: PodRecord, name: string): ContainerSpec {
  return [...(r.manifest.spec.initContainers ?? []), ...r.manifest.spec.containers].find((s) => s.name === name)!;
}

/** Start the container in the pod's current sandbox, through the runtime; its exit is recorded as it happens. */
export async function startContainer(ctx: PodContext, live: LivePod, name: string): Promise<void> {
  const r = live.record;
  const c = containerStatus(live, name);
  const spec = containerSpec(r, name);
  clearTimeout(live.restartTimers.get(name));
  live.restartTimers.delete(name);
  live.exitedWhileBusy.delete(name); // started again: no decision pending
  live.stopping.delete(name); // an earlier stop that gave up on a slow exit must not make this one's death look expected
  // An image is found again at each start: a container restarted runs what is stored now.
  const found = spec.image ? await imageProgram(ctx, spec, `container ${name}`) : undefined;
  if (found === 'missing') return imageMissing(ctx, live, c, spec.image!);
  const image = found?.image;
  if (found) Object.assign(c, { argv: found.argv, image: spec.image, imageID: found.image.id });
  const fields = podFields(ctx, r);
  const env = containerEnv(spec, r.name, image?.config, fields);
  const argv = expandArgv(c.argv, spec, fields);
  const restarted = c.startedAt !== null;
  const wasWaitingForImage = c.reason === 'ErrImageNeverPull' || c.reason === 'RunContainerError' || c.reason === 'CreateContainerConfigError';
  const sandbox = r.sandbox!;
  const cwd = spec.workingDir ?? (image?.config.WorkingDir || '/');
  const security = effectiveSecurity(r.manifest.spec.securityContext, spec.securityContext);
  const rootfs = image && { ref: image.ref, id: image.id, layerDirs: image.layerDirs, user: runAs(security, imageUser(image.config.User)) };
  // Known only now, from the image's user (a runAsUser of 0 was refused with the manifest).
  if (rootfs && security.runAsNonRoot && rootfs.user.uid === 0) return configError(ctx, live, c, `${NON_ROOT_MESSAGE} (pod: "default/${r.name}(${r.uid})", container: ${name}): set runAsUser to a non-zero uid, or use an image whose USER is not root`);
  const volumes = image ? await containerBinds(ctx.node.stateDir, r, spec) : [];
  await startNewRun(c.logPath); // the last run's log becomes `logs -p`'s
  const { proc, settled, id } = await ctx.runtime.start({ security, pod: r.name, name, sandboxPid: sandbox.pid, netns: sandbox.netns, argv, env, cwd, logPath: c.logPath, cgroup: ctx.node.cgroups.dir(r.uid), inPodCgroup: (a) => ctx.node.cgroups.wrap(r.uid, a), podIP: podIPOf(r), sharePid: r.manifest.spec.shareProcessNamespace, hostNetwork: isHostNetwork(r), resources: containerResources(spec), ...(rootfs ? { image: rootfs } : {}), ...(r.manifest.spec.runtimeClassName ? { ociRuntime: r.manifest.spec.runtimeClassName } : {}), ...(volumes.length ? { volumes } : {}) });
  // Recorded and watched before the next await: a quick app may exit during it.
  live.apps.set(name, proc);
  Object.assign(c, { state: 'Running', reason: null, message: null, ready: false, ...(spec.startupProbe ? { started: false } : {}), pid: proc.pid, startedAt: new Date().toISOString(), finishedAt: null, exitCode: null, signal: null, restartAt: null });
  if (restarted) c.restartCount++;
  c.containerID = id ?? null;
  if (wasWaitingForImage) c.crashes = 0; // the waits were no crashes: the back-off of the first real one starts afresh
  onExit(proc, (code, signal) => exited(ctx, live, c, proc, code, signal));
  // Inside the sandbox only once it has joined it (what inspect reports, what the split-brain guard compares).
  const where = await settled;
  if (where.inSandbox) c.netns = sandbox.netns;
  c.startTime = where.startTime;
  ctx.events.record(r, 'ContainerStarted', `started ${argv.join(' ')} (pid ${proc.pid}) in ${sandbox.netns}${image ? ` from image ${spec.image} (${image.id.slice(0, 12)}) under ${runtimeOf(c.containerID)}` : ''}${restarted ? `, restart ${c.restartCount}` : ''}`, { container: name });
}

/**
 * A container's image and its argv by Kubernetes' rules, its program found inside the image;
 * 'missing' if the image is not on the node (nothing is pulled). A program the image does not
 * have, or a user it cannot run as, is an error naming `at`.
 */
export async function imageProgram(ctx: PodContext, spec: ContainerSpec, at: string): Promise<{ image: ResolvedImage; argv: string[] } | 'missing'> {
  const image = await ctx.images.resolve(spec.image!);
  if (!image) return 'missing';
  const fail = (message: string) => new MinipodError('INVALID_ARGUMENT', `${at}: ${message}`);
  if (!imageUser(image.config.User)) throw fail(`image ${spec.image} runs as user "${image.config.User}": only numeric users (uid[:gid]) are supported`);
  const { name, pathEnv, cwd } = commandLookup(spec, image.config);
  if (!name) throw fail(`image ${spec.image} has no ENTRYPOINT or CMD: give a command`);
  const file = await findInImage(name, pathEnv, cwd, image.layerDirs);
  if (!file) throw fail(`executable "${name}" not found in image ${spec.image} (PATH=${pathEnv}, workingDir=${cwd})`);
  return { image, argv: [file, ...commandArgs(spec, image.config)] };
}

/** The image is not on the node: Waiting with ErrImageNeverPull, tried again with back-off (kubelet's ImagePullBackOff). */
export function imageMissing(ctx: PodContext, live: LivePod, c: ContainerStatus, ref: string): void {
  const message = `image ${ref} is not on this node and is never pulled: import it with \`minipod image import FILE\` (an archive from \`docker save\` or \`podman save\`); tried again with back-off`;
  Object.assign(c, { state: 'Waiting', reason: 'ErrImageNeverPull', message, ready: false, pid: null, netns: null });
  ctx.events.record(live.record, 'ErrImageNeverPull', message, { type: 'Warning', container: c.name });
  ctx.onImageMissing(live, c.name);
}

/** The container cannot run as its manifest says (kubelet's CreateContainerConfigError): Waiting, tried again with back-off like a missing image. */
function configError(ctx: PodContext, live: LivePod, c: ContainerStatus, message: string): void {
  Object.assign(c, { state: 'Waiting', reason: 'CreateContainerConfigError', message, ready: false, pid: null, netns: null });
  ctx.events.record(live.record, 'Failed', `Error: ${message}`, { type: 'Warning', container: c.name });
  ctx.onImageMissing(live, c.name);
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the app has exited. Idempotent. */
export async function stopContainer(ctx: PodContext, live: LivePod, name: string, graceMs: number): Promise<void> {
  clearTimeout(live.restartTimers.get(name));
  live.restartTimers.delete(name);
  const proc = live.apps.get(name);
  if (!proc) return;
  live.stopping.add(name);
  await ctx.runtime.stop(proc, graceMs);
}

/**
 * Take over an app the daemon before us started (restore.ts has checked that it is the recorded
 * process, in the pod's sandbox): from now on its exit is handled like one of our children's.
 */
export function adoptContainer(ctx: PodContext, live: LivePod, name: string): void {
  const c = containerStatus(live, name);
  const proc = ctx.runtime.adopt(c.pid!, c.startTime!, c.containerID);
  live.apps.set(name, proc);
  onExit(proc, (code, signal) => exited(ctx, live, c, proc, code, signal));
}

function exited(ctx: PodContext, live: LivePod, c: ContainerStatus, proc: Watchable, code: number | null, signal: NodeJS.Signals | null): void {
  if (live.apps.get(c.name) !== proc) return;
  live.apps.delete(c.name);
  const expected = live.stopping.delete(c.name);
  const finishedAt = new Date().toISOString();
  // OOMKilled wins, as in kubelet: the kernel's SIGKILL, whoever else meant to stop it, is exit
  // 137 also when an adopted container's watcher saw only the signal or no status at all.
  // Unknown: an adopted app whose parent reaped it before the watcher could read its status.
  const oom = proc.oomKilled === true;
  if (oom && code === null) code = 137;
  const reason = oom ? 'OOMKilled' : expected ? 'Killed' : code === 0 ? 'Completed' : code === null && signal === null ? 'Unknown' : 'Error';
  Object.assign(c, { state: 'Terminated', reason, ready: false, pid: null, netns: null, finishedAt, exitCode: code, signal });
  c.lastState = { exitCode: code, signal, reason, startedAt: c.startedAt, finishedAt };
  if (oom) {
    // The kernel killed a process of the container's cgroup; the container's own was that one only if it died of it.
    const killed = signal === 'SIGKILL' || code === 137 ? `ended ${c.name} (pid ${proc.pid})` : `killed a process of ${c.name} (pid ${proc.pid} went on, and exited with ${signal ?? `code ${code}`})`;
    ctx.events.record(live.record, 'OOMKilling', `the kernel's OOM killer ${killed}: it went over its memory limit${memoryLimitOf(live, c.name)}`, { type: 'Warning', container: c.name });
  }
  if (!expected) {
    ctx.events.record(live.record, 'ContainerDied', `pid ${proc.pid} exited ${signal ? `with ${signal}` : code === null ? '(status unknown: it was re-adopted after a daemon restart)' : `with code ${code}`}`, { type: code === 0 ? 'Normal' : 'Warning', container: c.name });
    ctx.onContainerExit(live, c.name);
  }
}

function memoryLimitOf(live: LivePod, name: string): string {
  const limit = containerSpec(live.record, name).resources?.limits?.memory;
  return limit === undefined ? '' : ` of ${limit}`;
}
