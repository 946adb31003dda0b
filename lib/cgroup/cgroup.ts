// A cgroup (v2) as a set of processes that cannot leave it: what a pod or a node started is found
// and killed through it, whichever namespaces, sessions or parents those processes moved to since.
// This is how runc and kubelet end a container. Only the unified hierarchy is used (also on hybrid
// v1 machines, where it is mounted at /sys/fs/cgroup/unified), for its `cgroup.kill` and
// `cgroup.events`; no controller is enabled, so no limit is set here: an image container's limits
// are runc's, on its own cgroup below the pod's (runtime/oci-config.ts), read back by stats.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MinipodError } from '../errors.js';
import { kill, readProc, readProcSync } from '../os/host.js';
import { readTextIfAny } from '../util/read-if-any.js';

/** Where the cgroup2 hierarchy is mounted, read from mountinfo ("… MOUNTPOINT … - cgroup2 …"). */
export function findCgroup2(mountinfo = readProcSync('self', 'mountinfo') ?? ''): string | undefined {
  const mounts = mountinfo
    .split('\n')
    .filter((l) => l.split(' - ')[1]?.startsWith('cgroup2 '))
    .map((l) => l.split(' ')[4]!);
  return mounts.find((m) => m === '/sys/fs/cgroup') ?? mounts[0];
}

/** cgroup v1 hierarchies (a hybrid machine's memory, pids, cpu…), where runc also puts a container. */
export function cgroupV1Mounts(mountinfo = readProcSync('self', 'mountinfo') ?? ''): string[] {
  return mountinfo
    .split('\n')
    .filter((l) => l.split(' - ')[1]?.startsWith('cgroup '))
    .map((l) => l.split(' ')[4]!);
}

/** The v1 hierarchy that carries a controller ("… - cgroup cgroup rw,memory"), if any. */
export function v1Hierarchy(controller: string, mountinfo = readProcSync('self', 'mountinfo') ?? ''): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    const [fstype, , options] = (after ?? '').split(' ');
    if (fstype === 'cgroup' && options?.split(',').includes(controller)) return before!.split(' ')[4];
  }
  return undefined;
}

/** A cgroup2 directory as runc's cgroupsPath names it: relative to the hierarchy's root ("/a/b"). */
export function cgroupPath(dir: string): string | undefined {
  const root = findCgroup2();
  return root && dir.startsWith(`${root}/`) ? dir.slice(root.length) : undefined;
}

/** A relative cgroup name such as "minipod" or "minipod-node-1a2b/node": no "..", no odd bytes. */
export function checkCgroupName(name: string, flag = '--cgroup-parent'): string {
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(name) || name.split('/').some((s) => s === '.' || s === '..')) {
    throw new MinipodError('INVALID_ARGUMENT', `${flag} ${name}: give a relative cgroup path such as "minipod" (letters, digits, "_", ".", "-", segments separated by "/")`);
  }
  return name;
}

export async function createCgroup(dir: string): Promise<void> {
  if (existsSync(dir)) return; // a restart's re-adoption: every pod's is there already, looked at without the thread pool
  await mkdir(dir, { recursive: true, mode: 0o755 });
}

/**
 * Move pid into the cgroup, unless it is within `within` already (by default the cgroup itself or
 * below: a move costs an RCU grace period even then, and would take a container out of its
 * runtime's own cgroup). Race-free only for a
 * process that does not fork (a pause holder); a program that may fork is started inside it by
 * rootfs/cgexec instead. A process gone meanwhile is no error. `controller` names a v1 hierarchy
 * ("pids"); the unified one by default. `placement`: the process's /proc/PID/cgroup if read
 * already (undefined: gone), for a move into several hierarchies at once.
 */
export async function moveInto(dir: string, pid: number, { controller = '', within = dir, placement }: { controller?: string; within?: string; placement?: Promise<string | undefined> } = {}): Promise<void> {
  // "0::/path" (unified) or "N:pids:/path" is its place in that tree, relative to the mount.
  const rel = ((await (placement ?? cgroupsOf(pid))) ?? '').match(new RegExp(`^\\d+:${controller}:(.*)$`, 'm'))?.[1];
  if (rel === undefined) return; // gone
  if (rel.split('/').some((_, i, parts) => i > 0 && within.endsWith(parts.slice(0, i + 1).join('/')))) return; // there already
  await writeFile(path.join(dir, 'cgroup.procs'), String(pid)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ESRCH') throw err;
  });
}

/** A process's /proc/PID/cgroup: its place in every hierarchy; undefined once it is gone. */
export const cgroupsOf = (pid: number): Promise<string | undefined> => readProc(pid, 'cgroup');

/** Pids in the cgroup and every cgroup below it. */
export async function pidsIn(dir: string): Promise<number[]> {
  const own = ((await readTextIfAny(path.join(dir, 'cgroup.procs'))) ?? '').split('\n').filter(Boolean).map(Number);
  const children = await childCgroups(dir);
  return [...own, ...(await Promise.all(children.map((c) => pidsIn(path.join(dir, c))))).flat()];
}

export async function childCgroups(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

function populated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(readFileSync(path.join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false; // gone
  }
}

/** Linux 5.14+: a cgroup can be killed as a whole, forks racing the kill included. */
export function canKill(dir: string): boolean {
  return existsSync(path.join(dir, 'cgroup.kill'));
}

/**
 * SIGKILL every process in the cgroup and below, including those it forks meanwhile: one write
 * to cgroup.kill. Without it (older kernels), what is listed now is killed, which a fork can
 * outrun: `removeCgroup` repeats until the cgroup is empty, and pods get no cgroup there at all
 * (pods.ts). Returns at once; `removeCgroup` waits for the processes to be gone.
 */
export async function killCgroup(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  if (canKill(dir)) return writeFileSync(path.join(dir, 'cgroup.kill'), '1');
  for (const pid of await pidsIn(dir)) kill(pid, 'SIGKILL'); // false: gone meanwhile
}

/** Kill what is in the cgroup, wait until it is empty (at most timeoutMs), remove it and its children. Idempotent. */
export async function removeCgroup(dir: string, timeoutMs = 5000): Promise<void> {
  if (!existsSync(dir)) return removeV1Twins(dir); // a removal cut short after the unified one went
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await killCgroup(dir);
    if (!populated(dir)) break;
    if (Date.now() > deadline) {
      const left = await pidsIn(dir);
      throw new MinipodError('COMMAND_FAILED', `cgroup ${dir} still holds pid(s) ${left.join(', ')} ${timeoutMs / 1000}s after SIGKILL (stuck in the kernel, state D?): see /proc/PID/stack, then \`rmdir ${dir}\``);
    }
    await sleep(5);
  }
  await removeTree(dir);
  await removeV1Twins(dir);
}

/** On a hybrid machine runc made the same path in every v1 hierarchy for its containers: gone too. */
async function removeV1Twins(dir: string): Promise<void> {
  const rel = cgroupPath(dir);
  if (rel) for (const v1 of cgroupV1Mounts()) if (existsSync(v1 + rel)) await removeTree(v1 + rel);
}

async function removeTree(dir: string): Promise<void> {
  for (const child of await childCgroups(dir)) await removeTree(path.join(dir, child));
  await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
