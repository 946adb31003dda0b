// Processes that are not our children: the pause holders and apps a restarted daemon re-adopts.
// Their deaths reach us through one long-lived helper (rootfs/pidwatch, a pidfd per process,
// see its header for the protocol), as an 'exit' event on an AdoptedProcess — the same shape
// as a child's, so the supervisor treats both alike.
import { EventEmitter } from 'node:events';
import { constants as os } from 'node:os';
import { createInterface } from 'node:readline';
import { MinipodError } from '../errors.js';
import { log } from '../log.js';
import { spawnProcess, type Proc } from '../exec/run.js';
import { PIDWATCH_PATH } from '../exec/tools.js';
import { isSameProcess } from './identity.js';

const signalName = (n: number) => (Object.entries(os.signals).find(([, v]) => v === n)?.[0] ?? null) as NodeJS.Signals | null;

/** A process we watch but did not spawn. `exited` is set even when how it ended is unknown. */
export class AdoptedProcess extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  exited = false;
  constructor(
    readonly pid: number,
    readonly startTime: string,
  ) {
    super();
  }

  /** Called by the watcher: code or signal when the zombie could still be read, else neither. */
  markExited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    Object.assign(this, { exited: true, exitCode: code, signalCode: signal });
    this.emit('exit', code, signal);
  }
}

/** pidwatch restarts back off (0.1 s doubling to 30 s) should it keep dying; a run this long resets it. */
const RESTART_BASE_MS = 100;
const RESTART_MAX_MS = 30_000;
const HEALTHY_RUN_MS = 60_000;
/** While no pidwatch runs, or for a process it cannot watch, deaths are found by reading /proc
 * this often: late, but never lost. */
const FALLBACK_POLL_MS = 100;

export class PidWatcher {
  private proc: Proc | undefined;
  private readonly watched = new Map<number, AdoptedProcess>();
  private closed = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private fallback: NodeJS.Timeout | undefined;
  /** Processes pidwatch could not watch (no pidfd for them): polled through /proc for good. */
  private readonly polled = new Set<AdoptedProcess>();

  /**
   * Watch pid if it is still the process that had startTime. The returned process reports its
   * exit (at once if it is already gone or is another process now) with the 'exit' event.
   */
  adopt(pid: number, startTime: string): AdoptedProcess {
    if (this.closed) throw new MinipodError('INTERNAL', `cannot watch pid ${pid}: the watcher is closed (daemon shutting down)`);
    const known = this.watched.get(pid);
    if (known?.startTime === startTime) return known; // one process, one AdoptedProcess
    if (known) {
      // Its pid belongs to another process now: the one we watched is gone.
      this.polled.delete(known);
      known.markExited(null, null);
    }
    const p = new AdoptedProcess(pid, startTime);
    this.watched.set(pid, p);
    if (!this.restartTimer) this.send(p); // else the restart sends every watch
    return p;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.fallback);
    this.polled.clear();
    this.proc?.stdin?.end();
    this.proc = undefined;
  }

  private send(p: AdoptedProcess): void {
    this.ensure().stdin!.write(`watch ${p.pid} ${p.startTime}\n`);
  }

  private ensure(): Proc {
    if (this.proc) return this.proc;
    const proc = spawnProcess([PIDWATCH_PATH], { stdio: ['pipe', 'pipe', 'pipe'] });
    const startedAt = Date.now();
    this.proc = proc;
    createInterface({ input: proc.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: proc.stderr! }).on('line', (line) => log.error({ line }, 'pidwatch'));
    void proc.then((result) => {
      if (this.proc === proc) this.proc = undefined;
      if (this.closed) return;
      this.failures = Date.now() - startedAt > HEALTHY_RUN_MS ? 1 : this.failures + 1;
      const delay = Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** (this.failures - 1));
      log.error({ exitCode: result.exitCode, signal: result.signal, message: result.failed ? String(result.message) : undefined, restartInMs: delay }, 'pidwatch exited: restarting it');
      this.startPolling();
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (this.closed) return;
        // The new one takes over every watch: a process that exited meanwhile is reported at once.
        for (const p of this.watched.values()) if (!this.polled.has(p)) this.send(p);
        this.stopPollingIfIdle();
      }, delay);
    });
    return proc;
  }

  private startPolling(): void {
    this.fallback ??= setInterval(() => void this.poll(), FALLBACK_POLL_MS);
  }

  private stopPollingIfIdle(): void {
    if (this.restartTimer || this.polled.size) return;
    clearInterval(this.fallback);
    this.fallback = undefined;
  }

  /** Deaths found through /proc (how they ended is lost): every process while no pidwatch runs,
   * else those it cannot watch. */
  private async poll(): Promise<void> {
    for (const p of this.restartTimer ? [...this.watched.values()] : [...this.polled]) {
      if (await isSameProcess(p.pid, p.startTime)) continue;
      if (this.watched.get(p.pid) !== p) continue;
      this.watched.delete(p.pid);
      this.polled.delete(p);
      p.markExited(null, null);
    }
    this.stopPollingIfIdle();
  }

  private onLine(line: string): void {
    const [what, pidText, kind, value] = line.split(' ');
    const p = this.watched.get(Number(pidText));
    if (!p) return;
    if (what === 'error') {
      // Ours and alive, but no pidfd for it (an old kernel, a seccomp filter, no descriptors left).
      log.error({ pid: p.pid, errno: Number(kind) }, `pidwatch cannot watch this process: polling /proc every ${FALLBACK_POLL_MS} ms instead`);
      this.polled.add(p);
      this.startPolling();
      return;
    }
    this.watched.delete(p.pid);
    if (what === 'exit' && kind === 'code') p.markExited(Number(value), null);
    else if (what === 'exit' && kind === 'signal') p.markExited(null, signalName(Number(value)));
    else p.markExited(null, null); // "exit PID unknown" or "gone PID"
  }
}
