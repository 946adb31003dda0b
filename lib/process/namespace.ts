// Namespace identity: the kernel's text for a process's namespace, e.g. "net:[4026532636]".
import { openNamespace, procLink, procLinkSync, readProc, unmount } from '../os/host.js';
import { isSameProcess } from './identity.js';
import { coalesced } from '../util/coalesce.js';

/** A network namespace as the kernel names it (what readNamespace returns for 'net'). */
export const NETNS = /^net:\[\d+\]$/;

export async function readNamespace(pid: number, kind: 'net' | 'uts' | 'ipc' | 'mnt' | 'pid' = 'net'): Promise<string | undefined> {
  return procLink(pid, `ns/${kind}`); // undefined: the process is gone
}

/**
 * readNamespace, synchronous: GET /pods reads four /proc files per container, thousands with
 * 1000 pods, each a few microseconds in the kernel but a queue through libuv's four-thread pool
 * when asynchronous (README, "Benchmarks": ps at 1000 pods).
 */
export function readNamespaceSync(pid: number, kind: 'net' | 'uts' | 'ipc' | 'mnt' | 'pid' = 'net'): string | undefined {
  return procLinkSync(pid, `ns/${kind}`);
}

/** pid is still the very process recorded (pid and start time) and is in the network namespace netns. */
export async function isSameProcessIn(pid: number | null | undefined, startTime: string | null | undefined, netns: string): Promise<boolean> {
  return !!pid && (await isSameProcess(pid, startTime)) && (await readNamespace(pid)) === netns;
}

/** A namespace held open (see pinNamespace); close() lets it go. */
export interface NamespacePin {
  close(): void;
}

/**
 * An open descriptor on the namespace `expected`, taken through the first of pids still in it;
 * undefined if none is. While it is open the namespace cannot be freed, so its inode number
 * cannot be reused by anyone else's: a sweep by that number (process/sweep.ts) hits only its own.
 * Synchronous on purpose: two /proc calls of a few microseconds, on a recovery's critical path,
 * where a round trip through libuv's thread pool would cost milliseconds.
 */
export function pinNamespace(kind: 'net' | 'mnt', expected: string, pids: (number | null | undefined)[]): NamespacePin | undefined {
  for (const pid of pids) {
    if (!expected || !pid) continue;
    const held = openNamespace(pid, kind); // undefined: gone meanwhile
    if (held?.ns === expected) return held;
    held?.close();
  }
  return undefined;
}

/** Bind mounts of namespaces (fstype nsfs: `ip netns add`, or `mount --bind /proc/PID/ns/net F`), from mountinfo; one read shared by callers that ask at once (util/coalesce.ts). */
export const namespaceMounts: () => Promise<{ target: string; ns: string }[]> = coalesced(async () => {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return ((await readProc('self', 'mountinfo')) ?? '')
    .split('\n')
    .filter((l) => l.split(' - ')[1]?.startsWith('nsfs '))
    .map((l) => l.split(' '))
    .map((f) => ({ ns: f[3]!, target: unescape(f[4]!) }));
});

/**
 * Lazily unmount every bind mount of namespace `ns` in our mount namespace; returns their paths.
 * umount takes a path and removes the mount on top there: a path where another namespace was
 * mounted over ours (a restarted app pinning its new one at the same place) is left alone.
 */
export async function unmountNamespace(ns: string): Promise<string[]> {
  const top = new Map<string, string>(); // mountinfo lists mounts in order: the last at a path is on top
  for (const m of await namespaceMounts()) top.set(m.target, m.ns);
  const targets = [...top].filter(([, n]) => n === ns).map(([target]) => target);
  for (const target of targets) await unmount(target);
  return targets;
}
