// Stop a pod: its apps (SIGTERM, SIGKILL after the grace period), then its sandbox (the holder,
// its namespace's names, then the veth, which the kernel deletes with the namespace), then its
// IP. Idempotent, and the one teardown path for stop, rm and shutdown.
import { asMinipodError, MinipodError } from '../errors.js';
import { hostPortsOf } from '../network/hostports.js';
import { kill } from '../os/host.js';
import { podLogger } from '../log.js';
import { isSameProcess } from '../process/identity.js';
import { stopHolder, vethGone } from '../sandbox/sandbox.js';
import { deleteNetnsName } from '../sandbox/netns-name.js';
import { Steps } from '../sandbox/steps.js';
import { PinnedNamespace } from '../process/sweep.js';
import { unmountNamespace } from '../process/namespace.js';
import { stopContainer } from './containers.js';
import { podEnded } from './completion.js';
import { allContainers } from './init-status.js';
import { cancelTimers, type LivePod, type PodContext } from './live.js';
import { keyOf } from '../manifest/pod-key.js';
import { clearBuilding } from './restore.js';
import { setPhase } from './state.js';
import type { PodRecord } from './types.js';
import { endExecs } from './exec.js';

/** How a stop is made: `verb` names the sequence in errors and failpoints. */
export interface StopHow {
  verb?: 'stop' | 'remove';
  /** The caller (remove) has just written the intent; the next write says Stopped. */
  persisted?: boolean;
  /** Its containers have all ended on their own (completion.ts; found so here too): no Killing event (no app is left to stop), and one that never started stays Waiting, as in a Kubernetes pod that failed. */
  ended?: boolean;
}

/**
 * A teardown cut short leaves the pod Terminating; running it again finishes it (every step is
 * idempotent).
 */
export async function stopPod(ctx: PodContext, live: LivePod, reason = 'stop requested', how: StopHow = {}): Promise<PodRecord> {
  const r = live.record;
  if (r.phase === 'Stopped') return r;
  const { verb = 'stop', persisted = false } = how;
  // Also when a completion's teardown cut short is finished by a restart, a stop or an rm.
  const ended = how.ended || !!podEnded(r);
  const steps = new Steps(verb);
  setPhase(r, 'Terminating');
  if (verb === 'remove') r.deletionTimestamp ??= new Date().toISOString();
  try {
    // Persisted first, so a daemon that dies meanwhile finishes the job; but a disk that refuses
    // the write (full) must not keep the apps running: the write is retried until it succeeds.
    if (!persisted) {
      steps.begin('persist record');
      await ctx.store.persist(r);
      steps.end();
    }

    steps.begin('stop apps');
    cancelTimers(live); // no restart, no retry
    const graceMs = r.manifest.spec.terminationGracePeriodSeconds * 1000;
    if (!ended) ctx.events.record(r, 'Killing', `${reason}: stopping ${live.apps.size} container(s), grace period ${graceMs / 1000}s`);
    // What an app started outside its process group (setsid: dumb-init, a daemon) stays in the
    // sandbox when the app stops; nothing may outlive the pod. Swept by namespace, pinned first;
    // held until the namespace's names are gone, so its number is never anyone else's meanwhile.
    const pinned = PinnedNamespace.take('net', r.sandbox?.netns, [live.holder?.pid, ...[...live.apps.values()].map((p) => p.pid)]);
    try {
      await Promise.all([...allContainers(r).map((c) => stopContainer(ctx, live, c.name, graceMs)), endExecs(live, `pod ${r.name} is stopping (${reason})`)]);
      if (pinned) await pinned.sweep({ except: new Set([r.sandbox!.pid]) });
      steps.end();

      if (r.sandbox) {
        steps.begin('stop holder');
        // A record from an earlier daemon has no child handles: kill its processes only if they
        // still hold the recorded namespace (never a reused pid).
        for (const c of allContainers(r)) if (c.pid && !live.apps.has(c.name) && (await isSameProcess(c.pid, c.startTime))) ctx.runtime.signal(c.pid, 'SIGKILL');
        const holder = live.holder;
        live.holder = null; // its exit is now expected
        // On SIGTERM the pause unmounts the `ip netns` name it bound: no umount process.
        if (holder) await stopHolder(holder);
        else await killIfOurs(r.sandbox.pid, r.sandbox.startTime);
        steps.end();
      }

      // Before the veth is waited for: a name would keep the namespace (and the veth) alive with
      // no process in it. Also with no sandbox recorded (a create cut short by a daemon restart
      // may have named its own).
      steps.begin('delete netns name');
      if (pinned) await unmountNamespace(pinned.ns); // what the holder left: one of an older minipod, or killed
      await deleteNetnsName(ctx.node, keyOf(r));
      steps.end();
    } finally {
      pinned?.close();
    }

    if (r.sandbox) {
      steps.begin('delete sandbox');
      await vethGone(ctx.ipTeardown, r.sandbox.hostVeth);
      ctx.events.record(r, 'SandboxDeleted', r.sandbox.hostVeth ? `pause ${r.sandbox.pid} and veth ${r.sandbox.hostVeth} removed; ${r.sandbox.netns} released` : `pause ${r.sandbox.pid} removed with the pod's IPC namespace; the node's network stays (hostNetwork)`);
      steps.end();
    }

    if (r.building) {
      // What a create or recovery whose rollback failed left (`rm -f` is how it is finished).
      steps.begin('delete sandbox');
      await clearBuilding(ctx, live);
      steps.end();
    }

    // Last of the processes: whatever the pod started that left its namespaces (unshare, nsenter).
    steps.begin('remove cgroup');
    await ctx.node.cgroups.remove(r.uid);
    steps.end();

    // Before the address goes: a mapping must never point at an IP another pod may get next.
    steps.begin('unpublish host ports');
    if (ctx.hostPorts && r.ip && hostPortsOf(r).length) await ctx.hostPorts.unpublish(r);
    ctx.hostPorts?.release(r);
    steps.end();

    steps.begin('release IP');
    if (r.ip) {
      // Only if the lease is still this pod's: a teardown run again from a record written before
      // (a daemon killed meanwhile) finds the address handed out since, and leaves it.
      await ctx.ips.release(r.ip, r.uid);
      r.ip = ''; // at once: a retry must never release an address handed out again meanwhile
    }
    steps.end();

    const left = (c: { state: string }) => c.state === 'Terminated' || (ended && c.state === 'Waiting');
    for (const c of allContainers(r)) Object.assign(c, { pid: null, netns: null, ready: false, restartAt: null, ...(left(c) ? {} : { state: 'Terminated', reason: 'Killed' }) });
    r.sandbox = null;
    r.conditions = [];
    setPhase(r, 'Stopped');
    r.message = ended ? (r.message ?? reason) : reason; // an init container's failure says more than "completed"
    // A removal deletes the record next: Stopped would be written (and fsynced) only to go. Should
    // the daemon die first, the record it left says Terminating, and the next one runs this
    // teardown again: every step is idempotent, and the release above spares another pod's lease.
    if (verb !== 'remove') {
      steps.begin('persist record');
      await ctx.store.persist(r);
    }
    podLogger(r).debug({ phases: steps.phases() }, `${verb}: pod stopped`);
    return r;
  } catch (err) {
    const failure = asMinipodError(err);
    const wrapped = new MinipodError(failure.code, `failed to ${verb} pod ${r.name}: ${steps.current}: ${failure.message} (the pod stays Terminating; run \`minipod rm -f ${r.name}\` again)`, { cause: failure });
    r.message = wrapped.message;
    throw wrapped;
  }
}

/** SIGKILL pid only if it is still the process we recorded (pid and start time), never a reused pid. */
async function killIfOurs(pid: number, startTime: string | null | undefined): Promise<void> {
  if (await isSameProcess(pid, startTime)) kill(pid, 'SIGKILL'); // false: gone meanwhile
}
