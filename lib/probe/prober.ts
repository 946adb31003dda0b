// The prober: kubelet's probe manager in small. One worker per container and probe kind, on the
// daemon's event loop. Workers are not started and stopped by each verb: a reconcile every
// SYNC_MS compares them with what runs (pod Running, container Running with the same process),
// so a container's restart, a sandbox recreation, the pod's removal or a daemon restart (live
// restore) each start or stop workers without a hook of their own. A worker whose container
// moved on meanwhile drops its result: it belongs to the run it was started for.
import { containerSpec, containerStatus } from '../pod/containers.js';
import { execInPod } from '../pod/exec.js';
import type { LivePod, PodContext } from '../pod/live.js';
import type { PodRegistry } from '../pod/registry.js';
import { PROBE_KINDS, probePort, type Probe, type ProbeKind } from '../manifest/probes.js';
import type { ContainerSpec } from '../manifest/pod-spec.js';
import { execProbe, httpProbe, tcpProbe, type ProbeOutcome } from './handlers.js';
import { decide, firstDelayMs, freshCounters, probeWord, type ProbeCounters } from './state.js';

/** How often workers are matched with what runs: the longest a new run waits for its first probe beyond initialDelaySeconds. */
const SYNC_MS = 200;

interface Worker {
  /** The run it probes: the container's start and pid. */
  run: string;
  counters: ProbeCounters;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

export class Prober {
  private readonly workers = new Map<string, Worker>();
  private sync: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: PodContext,
    private readonly pods: PodRegistry,
  ) {}

  start(): void {
    this.reconcile();
    this.sync = setInterval(() => this.reconcile(), SYNC_MS);
    this.sync.unref();
  }

  stop(): void {
    clearInterval(this.sync);
    for (const w of this.workers.values()) this.halt(w);
    this.workers.clear();
  }

  /** Start a worker for each probe of each running container that has none for this run; stop the others. */
  reconcile(): void {
    const wanted = new Set<string>();
    for (const live of this.pods.all()) {
      const r = live.record;
      if (r.phase !== 'Running' || live.terminating || !r.sandbox) continue;
      for (const spec of r.manifest.spec.containers) {
        const c = r.containers.find((x) => x.name === spec.name);
        const proc = live.apps.get(spec.name);
        if (!c || c.state !== 'Running' || !proc?.pid) continue;
        for (const kind of PROBE_KINDS) {
          const probe = spec[kind];
          if (!probe) continue;
          const key = `${r.uid}/${spec.name}/${kind}`;
          const run = `${c.startedAt}/${proc.pid}`;
          wanted.add(key);
          const w = this.workers.get(key);
          if (w?.run === run) continue;
          if (w) this.halt(w);
          const worker: Worker = { run, counters: freshCounters(), timer: undefined, stopped: false };
          this.workers.set(key, worker);
          worker.timer = setTimeout(() => void this.tick(worker, live, spec.name, kind, probe), firstDelayMs(probe, c.startedAt));
        }
      }
    }
    for (const [key, w] of this.workers) {
      if (wanted.has(key)) continue;
      this.halt(w);
      this.workers.delete(key);
    }
  }

  private halt(w: Worker): void {
    w.stopped = true;
    clearTimeout(w.timer);
  }

  private async tick(w: Worker, live: LivePod, name: string, kind: ProbeKind, probe: Probe): Promise<void> {
    if (w.stopped) return;
    const spec = containerSpec(live.record, name);
    // The startup probe gates the other two until it has passed (kubelet: "started").
    const gated = kind !== 'startupProbe' && spec.startupProbe !== undefined && !containerStatus(live, name).started;
    if (!gated) {
      const outcome = await this.probe(live, spec, probe).catch((err: Error): ProbeOutcome => ({ ok: false, message: err.message }));
      if (w.stopped) return; // the container stopped or restarted meanwhile: not this run's result
      // Mid-stop or mid-recovery: nothing is decided (the reconcile stops this worker, or keeps it
      // for a sandbox rejoined under the same run).
      if (!live.terminating && live.record.phase === 'Running') this.act(w, live, name, kind, probe, outcome);
    }
    if (!w.stopped && !w.counters.onHold) w.timer = setTimeout(() => void this.tick(w, live, name, kind, probe), probe.periodSeconds * 1000);
  }

  private probe(live: LivePod, spec: ContainerSpec, probe: Probe): Promise<ProbeOutcome> {
    const timeoutMs = probe.timeoutSeconds * 1000;
    const ip = live.record.ip;
    if (probe.exec) {
      const argv = probe.exec.command;
      return execProbe(argv, timeoutMs, () => execInPod(this.ctx, live, argv, { container: spec.name }));
    }
    if (probe.httpGet) {
      const h = probe.httpGet;
      return httpProbe({ scheme: h.scheme, host: h.host ?? ip, port: probePort(h.port, spec.ports), path: h.path, headers: h.httpHeaders }, timeoutMs);
    }
    const t = probe.tcpSocket!;
    return tcpProbe(t.host ?? ip, probePort(t.port, spec.ports), timeoutMs);
  }

  private act(w: Worker, live: LivePod, name: string, kind: ProbeKind, probe: Probe, outcome: ProbeOutcome): void {
    const r = live.record;
    const c = containerStatus(live, name);
    const word = probeWord(kind);
    if (!outcome.ok) this.ctx.events.record(r, 'Unhealthy', `${word} probe failed: ${outcome.message}`, { type: 'Warning', container: name });
    const action = decide(kind, probe, w.counters, outcome.ok, c.ready);
    if (action.set === 'ready') c.ready = action.value;
    else if (action.set === 'started') c.started = true;
    else if (action.set === 'kill') {
      this.ctx.events.record(r, 'Killing', `Container ${name} failed ${word.toLowerCase()} probe, will be restarted`, { container: name });
      this.kill(live, name, (probe.terminationGracePeriodSeconds ?? r.manifest.spec.terminationGracePeriodSeconds) * 1000);
    }
    if (action.set !== 'none') void this.ctx.store.persist(r);
  }

  /**
   * Stopped with its grace period, and not as a stop we asked for (live.stopping): its exit is
   * a death the supervisor decides on per restartPolicy, as kubelet restarts a container it
   * killed for its liveness probe (Never: it stays terminated).
   */
  private kill(live: LivePod, name: string, graceMs: number): void {
    const proc = live.apps.get(name);
    if (!proc) return;
    this.ctx.runtime.stop(proc, graceMs).catch((err: Error) => this.ctx.events.record(live.record, 'FailedKillPod', `could not stop ${name} after its failed probe: ${err.message}`, { type: 'Warning', container: name }));
  }
}
