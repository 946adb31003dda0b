// Namespace identity: the kernel's text for a process's namespace, e.g. "net:[4026532636]".
import { open, readlink, type FileHandle } from 'node:fs/promises';

export async function readNamespace(pid: number, kind: 'net' | 'uts' | 'ipc' | 'mnt' = 'net'): Promise<string | undefined> {
  try {
    return await readlink(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined; // the process is gone
  }
}

/**
 * An open descriptor on the namespace `expected`, taken through the first of pids still in it;
 * undefined if none is. While it is open the namespace cannot be freed, so its inode number
 * cannot be reused by anyone else's: a sweep by that number (process/sweep.ts) hits only its own.
 */
export async function pinNamespace(kind: 'net' | 'mnt', expected: string, pids: (number | null | undefined)[]): Promise<FileHandle | undefined> {
  for (const pid of pids) {
    if (!expected || !pid) continue;
    const fh = await open(`/proc/${pid}/ns/${kind}`, 'r').catch(() => undefined);
    if (fh && (await readlink(`/proc/self/fd/${fh.fd}`).catch(() => '')) === expected) return fh;
    await fh?.close();
  }
  return undefined;
}
