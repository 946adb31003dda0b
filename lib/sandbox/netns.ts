// Namespace identity: the kernel's text for a process's namespace, e.g. "net:[4026532636]".
import { readlink } from 'node:fs/promises';

export async function readNamespace(pid: number, kind: 'net' | 'uts' | 'ipc' | 'mnt' = 'net'): Promise<string | undefined> {
  try {
    return await readlink(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined; // the process is gone
  }
}
