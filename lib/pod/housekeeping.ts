// The boot's housekeeping: what a daemon start clears that no pod needs to be re-adopted. The pause
// holders the last daemon started and no pod owned (its pool's register), the orphans (gc.ts: what
// no record names), and in each re-adopted sandbox its `ip netns` name, its processes' cgroups and
// its strays (restore.ts, `tidy`).
//
// After a crash, or at a first start, it runs before the daemon answers, as it always did: a crash
// is when a create or a removal is cut short and leaves garbage. After a handoff (`node restart`:
// the last daemon answered its shutdown and left its pods, its requests answered first, so what is
// found is mostly what was done by hand while no daemon ran) it runs once the daemon has told its
// launcher it answers, beside the first requests: a restart then waits for none of it. It is safe
// beside them because what it judges was read before the daemon answered (the pass over /proc,
// the bridge's ports) or is judged against the pods as they are once read, and what goes by name is
// judged again just before it goes (gc.ts: a pod made or removed meanwhile keeps what is its own);
// each sandbox is tidied under its pod's lock and only if it is still the one adopted; `gc` waits
// for it, a shutdown lets it finish first (bounded). `GET /stats` says while it runs
// (`housekeeping`).
import { PinnedNamespace, type ProcessScan } from '../process/sweep.js';
import { log } from '../log.js';
import { forEachAtMost } from '../util/parallel.js';
import { waitAtMost } from '../util/wait.js';
import { findOrphans, removeOrphans } from './gc.js';
import { NODE_SUBJECT, withLock, type LivePod, type PodContext } from './live.js';
import type { PodRegistry } from './registry.js';
import { RESTORE_PARALLEL, type Adoption } from './restore.js';

/** A re-adopted pod and what tidies its sandbox. */
export interface Tidy {
  live: LivePod;
  tidy: Adoption['tidy'];
}

/** What the boot read for the housekeeping, before the daemon answered. */
export interface Found {
  /** The last daemon's pause holders that no pod owned (its pool's register), checked still those processes. */
  holders: { pid: number; netns: string }[];
  scan: ProcessScan;
  /** The ports of the daemon's bridge. */
  ports: ReadonlySet<string>;
  tidying: Tidy[];
}

/** Runs the housekeeping; resolves when it is done (never rejects: what fails is logged and reported as events). */
export type Housekeeping = () => Promise<void>;

/** How long a shutdown lets a housekeeping under way finish (what it leaves, the next start finds). */
const STOP_WAIT_MS = 5000;

/** A daemon's one housekeeping: set by the boot, run once by whoever asks first, none once stopping. */
export class Housekeeper {
  private job: Housekeeping = async () => {};
  private running: Promise<void> | undefined;
  private done = false;

  set(job: Housekeeping): void {
    this.job = job;
  }

  /** Runs it (once: every call waits for that run). */
  run(): Promise<void> {
    this.running ??= this.job().finally(() => void (this.done = true));
    return this.running;
  }

  /** Whether it has yet to finish (GET /stats). */
  get pending(): boolean {
    return !this.done;
  }

  /** A shutdown: none starts from now on, and one under way is let finish, for a while. */
  async stop(): Promise<void> {
    this.job = async () => {};
    await waitAtMost(this.running ?? Promise.resolve(), STOP_WAIT_MS);
  }
}

/** The housekeeping itself (bootPods hands it out bound to what it found): holders, orphans, then each sandbox, 32 at a time. */
export async function housekeep(ctx: PodContext, pods: PodRegistry, found: Found): Promise<void> {
  const t0 = performance.now();
  try {
    if (found.holders.length) {
      let killed = 0;
      for (const h of found.holders) killed += await PinnedNamespace.sweepOnce('net', h.netns, [h.pid], { scan: found.scan });
      ctx.events.record(NODE_SUBJECT, 'OrphanRemoved', `${found.holders.length} pause holder(s) no pod owned, ${killed} process(es) stopped`, { type: 'Warning' });
    }
    // What a dead daemon left that no record names (a quarantined record's holder, apps, veth and
    // lease included: nothing of it runs); the record and its logs stay for a person to read.
    const orphans = await findOrphans(ctx, () => pods.list(true), [], { scan: found.scan, ports: found.ports });
    // What gc only reports: quarantined records and their logs (for a person to read), and the
    // namespace mounts (on a shared host one may be somebody's own); `gc --fix` removes them.
    await removeOrphans(ctx, orphans.filter((o) => !o.kept), found.scan, () => pods.list(true));
    let strays = 0;
    await forEachAtMost(found.tidying, RESTORE_PARALLEL, async ({ live, tidy }) => {
      const stopped = await withLock(live, tidy).catch((err: Error) => void log.warn({ pod: live.record.name, err: err.message }, 'could not tidy a re-adopted sandbox'));
      if (stopped) ctx.events.record(live.record, 'StraysStopped', `${stopped} process(es) in the sandbox that were neither the holder's nor an app's (an old \`minipod exec\`?) stopped`, { type: 'Warning' });
      strays += stopped ?? 0;
    });
    log.info({ orphans: orphans.filter((o) => !o.kept).length, strays, ms: Math.round(performance.now() - t0) }, 'boot housekeeping done');
  } catch (err) {
    log.error({ err: (err as Error).message }, 'boot housekeeping failed: `minipod gc` lists what is left');
  }
}
