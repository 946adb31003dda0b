// Processes that are not our children: the pause holders and apps a restarted daemon re-adopts.
// Their deaths reach us through one long-lived helper (rootfs/pidwatch, a pidfd per process,
// see its header for the protocol), as an 'exit' event on an AdoptedProcess — the same shape
// as a child's, so the supervisor treats both alike.
import { constants as os } from 'node:os';
import { createInterface } from 'node:readline';
import { MinipodError } from '../errors.js';
import { log } from '../log.js';
import { spawnProcess, tools, type Proc } from '../os/host.js';
import { PIDWATCH_STDIO, takeStarted } from '../os/prestart.js';
import { AdoptedProcess } from './adopted.js';
import { isSameProcess } from './identity.js';

export { AdoptedProcess };

const signalName = (n: number) => (Object.entries(os.signals).find(([, v]) => v === n)?.[0] ?? null) as NodeJS.Signals | null;

/** pidwatch restarts back off (0.1 s doubling to 30 s) should it keep dying; a run this long resets it. */
const RESTART_BASE_MS = 100;
const RESTART_MAX_MS = 30_000;
const HEALTHY_RUN_MS = 60_000;
/** While no pidwatch runs, or for a process it cannot watch, deaths are found by reading /proc
 * this often: late, but never lost. */
const FALLBACK_POLL_MS = 100;
/**
 * A stopped (SIGSTOP) or stuck pidwatch is alive but reports nothing, so it is pinged this often
 * while it watches something, and replaced if a ping is still unanswered this many pings later.
 * Counted in ticks, not wall time: after a stall of our own event loop the pong may be waiting
 * unread in the pipe, and must not be taken as missing.
 */
const PING_EVERY_MS = 1000;
const PONG_WITHIN_PINGS = 3;

/** The helper to run and its ping pace; unit tests pass a fake and a fast pace. */
export interface WatcherOptions {
  argv?: readonly string[];
  pingEveryMs?: number;
  pongWithinPings?: number;
}

export class PidWatcher {
  private proc: Proc | undefined;
  private readonly watched = new Map<number, AdoptedProcess>();
  private closed = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private fallback: NodeJS.Timeout | undefined;
  /** Processes pidwatch could not watch (no pidfd for them): polled through /proc for good. */
  private readonly polled = new Set<AdoptedProcess>();
  private startedAt = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  /** The ping not answered yet, and how many ticks it has waited. */
  private unanswered: { token: string; ticks: number } | undefined;
  private pings = 0;
  private readonly argv: readonly string[];
  private readonly pingEveryMs: number;
  private readonly pongWithinPings: number;

  constructor(options: WatcherOptions = {}) {
    this.argv = options.argv ?? [tools().pidwatch];
    this.pingEveryMs = options.pingEveryMs ?? PING_EVERY_MS;
    this.pongWithinPings = options.pongWithinPings ?? PONG_WITHIN_PINGS;
  }

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
    this.stopPinging();
    this.polled.clear();
    this.proc?.stdin?.end();
    this.proc = undefined;
  }

  private send(p: AdoptedProcess): void {
    const stdin = this.ensure().stdin!;
    // The watches asked in one turn of the event loop go out as one write: a restart adopts every
    // pod's processes at once (100 writes were 6 ms of a restart with 50 pods).
    if (!stdin.writableCorked) {
      stdin.cork();
      setImmediate(() => stdin.uncork());
    }
    stdin.write(`watch ${p.pid} ${p.startTime}\n`);
    this.pingTimer ??= setInterval(() => this.tick(), this.pingEveryMs).unref();
  }

  private ensure(): Proc {
    if (this.proc) return this.proc;
    const proc = takeStarted(this.argv) ?? spawnProcess(this.argv, { stdio: PIDWATCH_STDIO }); // a spare's, if it started one
    this.startedAt = Date.now();
    this.proc = proc;
    createInterface({ input: proc.stdout! }).on('line', (line) => this.onLine(line, proc));
    createInterface({ input: proc.stderr! }).on('line', (line) => log.error({ line }, 'pidwatch'));
    void proc.then((result) => this.lost(proc, 'pidwatch exited: restarting it', { exitCode: result.exitCode, signal: result.signal, message: result.failed ? String(result.message) : undefined }));
    return proc;
  }

  /** The pidwatch in use exited or was given up on: poll /proc until a new one (backed off) takes over every watch. */
  private lost(proc: Proc, message: string, details: Record<string, unknown>): void {
    if (this.proc !== proc) return; // replaced already, or closed
    this.proc = undefined;
    this.stopPinging();
    if (this.closed) return;
    this.failures = Date.now() - this.startedAt > HEALTHY_RUN_MS ? 1 : this.failures + 1;
    const delay = Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** (this.failures - 1));
    log.error({ ...details, restartInMs: delay }, message);
    this.startPolling();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.closed) return;
      // The new one takes over every watch: a process that exited meanwhile is reported at once.
      for (const p of this.watched.values()) if (!this.polled.has(p)) this.send(p);
      this.stopPollingIfIdle();
    }, delay);
  }

  /** Ping pidwatch while it watches something; one that leaves a ping unanswered too long is killed and replaced. */
  private tick(): void {
    const proc = this.proc;
    if (!proc || this.watched.size === this.polled.size) return this.stopPinging();
    if (this.unanswered) {
      if (++this.unanswered.ticks < this.pongWithinPings) return;
      const waitedMs = this.pongWithinPings * this.pingEveryMs;
      this.lost(proc, `pidwatch answered no ping within ${waitedMs} ms (stopped or stuck): killed it, polling /proc until a new one runs`, { helper: proc.pid });
      proc.kill('SIGKILL');
      return;
    }
    this.unanswered = { token: String(++this.pings), ticks: 0 };
    proc.stdin!.write(`ping ${this.unanswered.token}\n`);
  }

  private stopPinging(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    this.unanswered = undefined;
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

  private onLine(line: string, from: Proc): void {
    const [what, pidText, kind, value] = line.split(' ');
    if (what === 'pong') {
      if (from === this.proc && this.unanswered?.token === pidText) this.unanswered = undefined;
      return;
    }
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
