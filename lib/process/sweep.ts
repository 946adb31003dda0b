// SIGKILL every process in given namespaces, found through /proc: how a pod's leftovers (its
// network namespaces) and a dead node's leftovers (its mount namespace) are cleared. A namespace
// is swept only while it is pinned (PinnedNamespace): once freed, its inode number can be reused
// by anyone's namespace, whose processes a sweep by number would kill.
import { kill, listPids, procLinkSync } from '../os/host.js';
import { pinNamespace, readNamespace, type NamespacePin } from './namespace.js';

type Kind = 'net' | 'mnt';

/** One process as one pass over /proc saw it. */
export interface ProcessEntry {
  pid: number;
  net: string | undefined;
  mnt: string | undefined;
}

/** Pids read per turn of the event loop: a readlink of /proc takes microseconds, a turn more. */
const SCAN_BATCH = 64;

/**
 * One pass over /proc (this process left out): every pid with its network namespace (and its mount
 * namespace, if asked). A daemon start takes one and shares it (leftover holders, orphans,
 * adoption, clearing of interrupted pods); a pid is checked again before it is signalled, so a
 * stale entry harms nobody.
 */
export class ProcessScan {
  private constructor(readonly entries: readonly ProcessEntry[]) {}

  /**
   * `only`: read just these. The network namespace by default: what a daemon start and gc judge
   * by (sandboxes, strays, orphans; gc reads a mount namespace only for the few processes in a
   * network namespace nobody owns). A node's mount namespace is swept by `node stop` with a pass
   * of its own (ProcessScan.next). One link less per pid of the machine is about 3 ms of a
   * restart's thread before it answers (380 pids here).
   */
  static async take(only: readonly Kind[] = ['net']): Promise<ProcessScan> {
    const pids = (await listPids()).filter((pid) => pid !== process.pid);
    const read = (pid: number, kind: Kind) => (only.includes(kind) ? procLinkSync(pid, `ns/${kind}`) : undefined);
    // A batch at a time, each read at once (a namespace link is the process's own field, under no
    // lock another task may hold), then the loop's other work. Not the whole pass at once: a node
    // of a thousand pods has a few thousand pids. Nor a promise per pid: a hundred concurrent
    // stops would hold theirs all together (tens of MiB of daemon heap, kept as resident memory).
    const entries: ProcessEntry[] = [];
    for (let i = 0; i < pids.length; i++) {
      if (i % SCAN_BATCH === 0) await new Promise(setImmediate);
      const e = { pid: pids[i]!, net: read(pids[i]!, 'net'), mnt: read(pids[i]!, 'mnt') };
      if (e.net || e.mnt) entries.push(e); // a pid gone meanwhile has none
    }
    return new ProcessScan(entries);
  }

  /**
   * A pass over /proc that starts after this call, shared with every caller that asks before it
   * starts: a hundred pods stopped at once then read /proc a few times, not a hundred (each pass
   * reads every pid, the pods' own included, so one per stop made concurrent removal quadratic).
   * Never one already under way: it may have listed the pids before the caller's processes moved.
   */
  static next(kind: Kind): Promise<ProcessScan> {
    let q = queued.get(kind);
    if (!q) {
      q = (async () => {
        await (running.get(kind) ?? Promise.resolve()); // one pass of a kind at a time: the next waits for it
        queued.delete(kind); // started: who asks from now on waits for the one after
        const pass = ProcessScan.take([kind]);
        const settled = pass.catch(() => undefined);
        running.set(kind, settled);
        void settled.then(() => running.get(kind) === settled && running.delete(kind));
        return pass;
      })();
      queued.set(kind, q);
    }
    return q;
  }

  /** The pids in each namespace of a kind. */
  byNamespace(kind: Kind): Map<string, number[]> {
    const index = new Map<string, number[]>();
    for (const e of this.entries) {
      const ns = e[kind];
      if (!ns) continue;
      const pids = index.get(ns);
      if (pids) pids.push(e.pid);
      else index.set(ns, [e.pid]);
    }
    return index;
  }

  in(kind: Kind, ns: string): number[] {
    return this.entries.filter((e) => e[kind] === ns).map((e) => e.pid);
  }
}

const queued = new Map<Kind, Promise<ProcessScan>>();
const running = new Map<Kind, Promise<unknown>>();

/** SIGKILL those of pids still in namespace (checked again: a pid may have moved on); returns how many. */
async function killPids(kind: Kind, namespace: string, pids: number[], except: ReadonlySet<number> = new Set()): Promise<number> {
  let killed = 0;
  for (const pid of pids) {
    if (except.has(pid) || (await readNamespace(pid, kind)) !== namespace) continue;
    if (kill(pid, 'SIGKILL')) killed++; // else gone meanwhile
  }
  return killed;
}

export interface SweepOptions {
  /** Never killed (a holder that must outlive the sweep). */
  except?: ReadonlySet<number>;
  /** Where to look for the namespace's processes; a fresh pass over /proc if not given. */
  scan?: ProcessScan;
  /** Spared if this says so (an adopted app's own children). */
  keep?: (pid: number) => Promise<boolean>;
}

/**
 * Pin, sweep, close: a namespace held open through the first of `via` still in it, so that a
 * sweep by its inode number hits only its own processes. Every sweep of a pod's or a node's
 * namespace goes through one of these; close() in a finally.
 */
export class PinnedNamespace {
  private constructor(readonly kind: Kind, readonly ns: string, private readonly pin: NamespacePin) {}

  /**
   * undefined if none of `via` is in `ns` any more: then it cannot be proven ours, and nothing may
   * be swept. Also for our own namespace: a hostNetwork pod's sandbox is the node's network
   * namespace, the daemon's and everything else's on the node, never a pod's to sweep.
   */
  static take(kind: Kind, ns: string | undefined, via: (number | null | undefined)[]): PinnedNamespace | undefined {
    const pin = ns && !isOwnNamespace(kind, ns) ? pinNamespace(kind, ns, via) : undefined;
    return pin && new PinnedNamespace(kind, ns!, pin);
  }

  /** SIGKILL what is in the namespace now; returns how many. The pin stays until close(). */
  async sweep({ except, scan, keep }: SweepOptions = {}): Promise<number> {
    const found = (scan ?? (await ProcessScan.next(this.kind))).in(this.kind, this.ns);
    const targets = [];
    for (const pid of found) if (!keep || !(await keep(pid))) targets.push(pid);
    return killPids(this.kind, this.ns, targets, except);
  }

  close(): void {
    this.pin.close();
  }

  /** Pin through `via` (pids verified ours), sweep everything in it, close; 0 if it cannot be pinned. */
  static async sweepOnce(kind: Kind, ns: string | undefined, via: (number | null | undefined)[], options: SweepOptions = {}): Promise<number> {
    // Our own namespace (a hostNetwork pod's): only the pids proven the pod's go, nothing else in it.
    if (ns && isOwnNamespace(kind, ns)) return killPids(kind, ns, via.filter((p): p is number => !!p), options.except);
    const pinned = PinnedNamespace.take(kind, ns, via);
    if (!pinned) return 0;
    try {
      return await pinned.sweep(options);
    } finally {
      pinned.close();
    }
  }
}

/** ns is the namespace this process (the daemon) is in itself. */
function isOwnNamespace(kind: Kind, ns: string): boolean {
  return procLinkSync('self', `ns/${kind}`) === ns;
}
