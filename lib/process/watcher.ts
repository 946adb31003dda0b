// Processes that are not our children: the pause holders and apps a restarted daemon re-adopts.
// Their deaths reach us through one long-lived helper (rootfs/pidwatch, a pidfd per process,
// see its header for the protocol), as an 'exit' event on an AdoptedProcess — the same shape
// as a child's, so the supervisor treats both alike.
import { EventEmitter } from 'node:events';
import { constants as os } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MinipodError } from '../errors.js';
import { log } from '../log.js';
import { spawnProcess, type Proc } from '../exec/run.js';

export const PIDWATCH_PATH = fileURLToPath(new URL('../../../rootfs/pidwatch/pidwatch', import.meta.url));

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

export class PidWatcher {
  private proc: Proc | undefined;
  private readonly watched = new Map<number, AdoptedProcess>();
  private closed = false;

  /**
   * Watch pid if it is still the process that had startTime. The returned process reports its
   * exit (at once if it is already gone or is another process now) with the 'exit' event.
   */
  adopt(pid: number, startTime: string): AdoptedProcess {
    if (this.closed) throw new MinipodError('INTERNAL', `cannot watch pid ${pid}: the watcher is closed (daemon shutting down)`);
    const known = this.watched.get(pid);
    if (known?.startTime === startTime) return known; // one process, one AdoptedProcess
    const p = new AdoptedProcess(pid, startTime);
    this.watched.set(pid, p);
    this.send(p);
    return p;
  }

  close(): void {
    this.closed = true;
    this.proc?.stdin?.end();
    this.proc = undefined;
  }

  private send(p: AdoptedProcess): void {
    this.ensure().stdin!.write(`watch ${p.pid} ${p.startTime}\n`);
  }

  private ensure(): Proc {
    if (this.proc) return this.proc;
    const proc = spawnProcess([PIDWATCH_PATH], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    createInterface({ input: proc.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: proc.stderr! }).on('line', (line) => log.error({ line }, 'pidwatch'));
    void proc.then((result) => {
      if (this.proc === proc) this.proc = undefined;
      if (this.closed) return;
      // Should it die, a new one takes over every watch (a process that exited meanwhile is
      // reported at once: with its status if it is still a zombie, else as gone).
      log.error({ exitCode: result.exitCode, signal: result.signal, stderr: result.failed ? String(result.message) : undefined }, 'pidwatch exited: restarting it');
      for (const p of this.watched.values()) this.send(p);
    });
    return proc;
  }

  private onLine(line: string): void {
    const [what, pidText, kind, value] = line.split(' ');
    const p = this.watched.get(Number(pidText));
    if (!p) return;
    this.watched.delete(p.pid);
    if (what === 'exit' && kind === 'code') p.markExited(Number(value), null);
    else if (what === 'exit' && kind === 'signal') p.markExited(null, signalName(Number(value)));
    else p.markExited(null, null); // "exit PID unknown" or "gone PID"
  }
}
