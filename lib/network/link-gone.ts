// Waiting for the kernel to delete a link on its own. A pod's veth goes with its network
// namespace: once the last process in it exits (and no name or descriptor holds it), the kernel's
// namespace cleanup unregisters every device in it, and a veth's peer with it, many namespaces
// in one batch. That is what floor C pays; deleting each veth by hand (`ip link del`) costs an
// rtnl round and an RCU grace period per pod, one after the other on one `ip -batch`, which made
// 100 concurrent removals slower than 100 creations.
//
// One poll serves every waiter: /proc/self/net/dev (the daemon's own network namespace, whatever
// /sys shows) is read once per tick while anyone waits.
import { readProcSync } from '../os/host.js';

const EVERY_MS = 5;

interface Waiter {
  name: string;
  deadline: number;
  resolve: (gone: boolean) => void;
}

const waiters = new Set<Waiter>();
let timer: NodeJS.Timeout | undefined;

/** The names of the links in pid's network namespace (the daemon's own by default); undefined if /proc cannot tell. */
export function linkNames(pid: number | 'self' = 'self'): Set<string> | undefined {
  const text = readProcSync(pid, 'net/dev');
  if (text === undefined) return undefined;
  // Two header lines, then "  NAME: counters…" per link.
  return new Set(text.split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean));
}

function tick(): void {
  timer = undefined;
  const names = linkNames();
  const now = performance.now();
  for (const w of waiters) {
    const gone = names !== undefined && !names.has(w.name);
    if (!gone && now < w.deadline && names !== undefined) continue;
    waiters.delete(w);
    w.resolve(gone);
  }
  if (waiters.size) timer = setTimeout(tick, EVERY_MS);
}

/** True once no link is called name in the daemon's namespace; false if one still is after timeoutMs. */
export function linkGone(name: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    waiters.add({ name, deadline: performance.now() + timeoutMs, resolve });
    if (!timer) tick();
  });
}
