// A pod's volumes on the node. An emptyDir is one directory per pod, STATE/volumes/UID/NAME, that
// every container of the pod mounts: it outlives container restarts and sandbox recreation (it is
// keyed by the pod's uid, not by a sandbox) and goes with the pod. `medium: Memory` mounts a tmpfs
// on it in the daemon's mount namespace (the node's), made again if that namespace is new. A
// hostPath is checked against its `type` (and made, for the *OrCreate types) as kubelet does.
import { chmod, lstat, mkdir, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MinipodError } from '../errors.js';
import type { HostPathType, Volume } from '../manifest/volumes.js';
import type { ContainerSpec } from '../manifest/pod-spec.js';
import { parseResourceQuantity } from '../manifest/quantity.js';
import { readProc, run, tools, unmount } from '../os/host.js';
import { applyFsGroup } from './fs-group.js';
import type { VolumeBind } from '../runtime/oci-config.js';
import { keyOf } from '../manifest/pod-key.js';

export const VOLUMES_DIR = 'volumes';
/** The pod's key (key.ts), for gc to say whose a left-over directory was (no volume name starts with "."). */
const OWNER_FILE = '.pod';

export const podVolumesDir = (stateDir: string, uid: string) => path.join(stateDir, VOLUMES_DIR, uid);

interface PodVolumes {
  name: string;
  namespace: string;
  uid: string;
  manifest: { spec: { volumes?: Volume[] | undefined; securityContext?: { fsGroup?: number | undefined; fsGroupChangePolicy?: 'Always' | 'OnRootMismatch' | undefined } | undefined } };
}

/** Mount points at or below dir in our mount namespace, deepest first (mountinfo escapes spaces as \040). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const targets = ((await readProc('self', 'mountinfo')) ?? '').split('\n').map((l) => l.split(' ')[4]).filter((t): t is string => !!t).map(unescape);
  return [...new Set(targets.filter((t) => t === dir || t.startsWith(`${dir}/`)))].sort((a, b) => b.length - a.length);
}

/**
 * Make dir and its missing parents 0755, as kubelet makes a *OrCreate hostPath: the daemon's umask
 * (077) would leave them 0700, closed to a container's non-root user.
 */
async function makeDirs(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o755 });
  if (first === undefined) return;
  for (let d = dir; ; d = path.dirname(d)) {
    await chmod(d, 0o755);
    if (d === first || d === path.dirname(d)) return;
  }
}

/**
 * kubelet's hostPath type check of `file`: an error naming `at` if it is not what `type` says; the
 * *OrCreate types make a missing one when `create` (at a container's start; the create's early
 * check only looks, so a refused pod changes nothing).
 */
export async function checkHostPath(file: string, type: HostPathType, at: string, create: boolean): Promise<void> {
  if (type === '') return;
  const found = await stat(file).catch(() => undefined);
  const fail = (what: string) => new MinipodError('INVALID_ARGUMENT', `${at}: ${type}, but "${file}" ${what}`);
  if (!found) {
    if (type === 'DirectoryOrCreate') return void (create && (await makeDirs(file)));
    if (type === 'FileOrCreate') {
      if (create) {
        await makeDirs(path.dirname(file));
        await writeFile(file, '', { mode: 0o644, flag: 'wx' }).then(() => chmod(file, 0o644), (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err; // made meanwhile: it is checked as found next time
        });
      }
      return;
    }
    throw fail(`does not exist on the node${type === 'Directory' || type === 'File' ? ` (use ${type}OrCreate to make it)` : ''}`);
  }
  const is: Record<Exclude<HostPathType, ''>, [boolean, string]> = {
    DirectoryOrCreate: [found.isDirectory(), 'a directory'],
    Directory: [found.isDirectory(), 'a directory'],
    FileOrCreate: [found.isFile(), 'a regular file'],
    File: [found.isFile(), 'a regular file'],
    Socket: [found.isSocket(), 'a unix socket'],
    CharDevice: [found.isCharacterDevice(), 'a character device'],
    BlockDevice: [found.isBlockDevice(), 'a block device'],
  };
  const [ok, want] = is[type];
  if (!ok) throw fail(`is not ${want} on the node`);
}

/** Every hostPath's type checked before anything is made: the messages, one per volume that fails. */
export async function hostPathProblems(volumes: Volume[] | undefined): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, v] of (volumes ?? []).entries()) {
    if (v.hostPath) await checkHostPath(v.hostPath.path, v.hostPath.type, `spec.volumes[${i}].hostPath.type`, false).catch((err: Error) => problems.push(err.message));
  }
  return problems;
}

const busy = new Map<string, Promise<unknown>>();
/** One pod's volumes are made one call at a time: two containers restarting at once must not mount two tmpfs. */
function serially<T>(uid: string, fn: () => Promise<T>): Promise<T> {
  const next = (busy.get(uid) ?? Promise.resolve()).then(fn, fn);
  const settled = next.catch(() => undefined);
  busy.set(uid, settled);
  void settled.then(() => busy.get(uid) === settled && busy.delete(uid));
  return next;
}

/** The node directory of volume `v`, made (and its tmpfs mounted) if need be. */
async function volumeSource(stateDir: string, pod: PodVolumes, v: Volume, index: number): Promise<string> {
  if (v.hostPath) {
    await checkHostPath(v.hostPath.path, v.hostPath.type, `spec.volumes[${index}].hostPath.type`, true);
    return v.hostPath.path;
  }
  const root = podVolumesDir(stateDir, pod.uid);
  await mkdir(root, { recursive: true, mode: 0o700 });
  await writeFile(path.join(root, OWNER_FILE), `${keyOf(pod)}\n`);
  const dir = path.join(root, v.name);
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o777); // kubelet's mode: writable by whatever user the container runs as
  if (v.emptyDir?.medium === 'Memory' && !(await mountsUnder(dir)).includes(dir)) {
    const size = v.emptyDir.sizeLimit === undefined ? undefined : Math.ceil(parseResourceQuantity(v.emptyDir.sizeLimit)!);
    await run([tools().mount, '-t', 'tmpfs', '-o', ['nosuid', 'nodev', 'mode=0777', ...(size ? [`size=${size}`] : [])].join(','), `minipod-${pod.uid}-${v.name}`, dir]);
  }
  const sc = pod.manifest.spec.securityContext;
  if (sc?.fsGroup !== undefined) await applyFsGroup(dir, sc.fsGroup, sc.fsGroupChangePolicy);
  return dir;
}

/** `subPath` inside `base`, made if missing; refused if a symlink in the volume leads out of it. */
async function subPathSource(base: string, subPath: string, at: string): Promise<string> {
  if (!(await stat(base)).isDirectory()) throw new MinipodError('INVALID_ARGUMENT', `${at}: "${base}" is not a directory: a subPath needs a directory volume`);
  const wanted = path.join(base, subPath);
  if (!(await lstat(wanted).catch(() => undefined))) await mkdir(wanted, { recursive: true, mode: 0o777 });
  const [real, realBase] = await Promise.all([realpath(wanted), realpath(base)]);
  if (real !== realBase && !real.startsWith(`${realBase}/`)) throw new MinipodError('INVALID_ARGUMENT', `${at}: "${subPath}" leads out of the volume (to "${real}", through a symbolic link)`);
  return real;
}

/** The bind mounts of container `c` (with an image), its pod's volumes made ready for them. */
export function containerBinds(stateDir: string, pod: PodVolumes, c: ContainerSpec): Promise<VolumeBind[]> {
  const mounts = c.volumeMounts ?? [];
  if (!mounts.length) return Promise.resolve([]);
  return serially(pod.uid, async () => {
    const volumes = pod.manifest.spec.volumes ?? [];
    const binds: VolumeBind[] = [];
    for (const [j, m] of mounts.entries()) {
      const index = volumes.findIndex((v) => v.name === m.name);
      const base = await volumeSource(stateDir, pod, volumes[index]!, index);
      const source = m.subPath ? await subPathSource(base, m.subPath, `container ${c.name}: volumeMounts[${j}].subPath`) : base;
      binds.push({ source, destination: m.mountPath, readOnly: m.readOnly });
    }
    return binds;
  });
}

/** Every volume of pod `uid` off the node: its tmpfs unmounted, its directory deleted. Safe to repeat. */
export function removePodVolumes(stateDir: string, uid: string): Promise<void> {
  const dir = podVolumesDir(stateDir, uid);
  return serially(uid, async () => {
    for (const target of await mountsUnder(dir)) await unmount(target);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });
}

/** Volume directories of pods no record names: what each was, for `minipod gc`. */
export async function orphanVolumes(stateDir: string, owners: Set<string>): Promise<{ dir: string; uid: string; pod: string; origin: string }[]> {
  const root = path.join(stateDir, VOLUMES_DIR);
  const found = [];
  for (const uid of await readdir(root).catch(() => [] as string[])) {
    if (owners.has(uid)) continue;
    const dir = path.join(root, uid);
    const pod = (await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => '')).trim();
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n !== OWNER_FILE);
    const mounts = await mountsUnder(dir);
    found.push({ dir, uid, pod, origin: `the emptyDir volumes (${names.join(', ') || 'none left'}) of pod ${pod || '(unknown)'} uid ${uid}, which no pod record names (a crash mid-create or mid-removal)${mounts.length ? `; a tmpfs is still mounted on ${mounts.join(', ')}` : ''}` });
  }
  return found;
}
