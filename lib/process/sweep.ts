// SIGKILL every process in given namespaces, found through /proc: how a pod's leftovers (its
// network namespaces) and a dead node's leftovers (its mount namespace) are cleared.
import { readdir } from 'node:fs/promises';
import { readNamespace } from '../sandbox/netns.js';

/** Returns how many processes were killed; never this process, nor those in `except`. */
export async function killProcessesIn(kind: 'net' | 'mnt', namespaces: string[], except: ReadonlySet<number> = new Set()): Promise<number> {
  if (!namespaces.length) return 0;
  let killed = 0;
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!pid || pid === process.pid || except.has(pid) || !namespaces.includes((await readNamespace(pid, kind)) ?? '')) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}
