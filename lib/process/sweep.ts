// SIGKILL every process in given namespaces, found through /proc: how a pod's leftovers (its
// network namespaces) and a dead node's leftovers (its mount namespace) are cleared.
import { kill, listPids } from '../os/host.js';
import { readNamespace } from '../sandbox/netns.js';

type Kind = 'net' | 'mnt';

/** One pass over /proc: the pids in each namespace of a kind (this process left out). */
export async function processesByNamespace(kind: Kind): Promise<Map<string, number[]>> {
  const index = new Map<string, number[]>();
  for (const pid of await listPids()) {
    if (pid === process.pid) continue;
    const ns = await readNamespace(pid, kind);
    if (!ns) continue;
    const pids = index.get(ns);
    if (pids) pids.push(pid);
    else index.set(ns, [pid]);
  }
  return index;
}

/** SIGKILL those of pids still in namespace (checked again: a pid may have moved on); returns how many. */
export async function killPids(kind: Kind, namespace: string, pids: number[], except: ReadonlySet<number> = new Set()): Promise<number> {
  let killed = 0;
  for (const pid of pids) {
    if (except.has(pid) || (await readNamespace(pid, kind)) !== namespace) continue;
    if (kill(pid, 'SIGKILL')) killed++; // else gone meanwhile
  }
  return killed;
}

/** Returns how many processes were killed; never this process, nor those in `except`. */
export async function killProcessesIn(kind: Kind, namespaces: string[], except: ReadonlySet<number> = new Set()): Promise<number> {
  if (!namespaces.length) return 0;
  const index = await processesByNamespace(kind);
  let killed = 0;
  for (const ns of new Set(namespaces)) killed += await killPids(kind, ns, index.get(ns) ?? [], except);
  return killed;
}
