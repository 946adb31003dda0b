// Holders started ahead of need, and a register of every holder not yet owned by a pod record.
//
// Two spare holders are kept: a spare's start (its spawn blocks Node's event loop for ms, then the
// kernel makes its namespaces and its register entry is written: ~10 ms in all) happens after an
// operation instead of inside the next one. With one, creates back to back found it still
// starting, its register write queued behind their own files; the older of two has long started.
// Every holder the pool starts is registered on disk
// (state/holders/PID, holding its netns) until a pod record names it, so a daemon that dies in
// between leaves nothing a restarted one cannot find and stop.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readTextIfAny } from '../util/read-if-any.js';
import { log } from '../log.js';
import { diskError } from '../store/persist.js';
import { stopProcess } from '../process/stop.js';
import { isStopped, startTimeOf } from '../process/identity.js';
import { isSameProcessIn, readNamespace } from '../process/namespace.js';
import { holderAlive, startPause, type Holder } from './pause.js';
import { removeFile } from '../util/remove-file.js';

const SPARES = 2;
/** A register entry, as start() writes it: "net:[4026532636] 123456\n". */
const REGISTER_LINE = /^(net:\[\d+\]) (\d+)\n$/;

export class HolderPool {
  /** Oldest first; at most SPARES, started one at a time. */
  private spares: Promise<Holder | null>[] = [];
  private filling = false;
  private closed = false;
  private readonly dir: string;

  constructor(private readonly stateDir: string, private readonly enabled = true) {
    this.dir = path.join(stateDir, 'holders');
  }

  /**
   * The namespaces of holders a previous daemon started and no pod owned; the register is
   * emptied. An entry is trusted only if its name is a pid and it reads "NETNS STARTTIME";
   * any other is removed and returned in `rejected` (file: why), never acted on.
   */
  async takeLeftovers(): Promise<{ netnses: string[]; holders: { pid: number; netns: string }[]; rejected: string[] }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const holders: { pid: number; netns: string }[] = [];
    const rejected: string[] = [];
    for (const entry of await readdir(this.dir)) {
      const file = path.join(this.dir, entry);
      const text = (await readTextIfAny(file)) ?? '';
      const [, netns, startTime] = REGISTER_LINE.exec(text) ?? [];
      if (!/^[1-9]\d*$/.test(entry)) rejected.push(`holders/${entry}: the name is not a pid`);
      else if (!netns) rejected.push(`holders/${entry}: ${JSON.stringify(text.slice(0, 60))} is not "NETNS STARTTIME"`);
      // Only if it is still that very process (pid and start time) in that namespace.
      else if (await isSameProcessIn(Number(entry), startTime, netns)) holders.push({ pid: Number(entry), netns });
      await rm(file, { recursive: true, force: true });
    }
    return { netnses: holders.map((h) => h.netns), holders, rejected };
  }

  /** A holder whose namespaces exist: the oldest spare alive and not stopped, else a new one. */
  async take(options: { pidNamespace?: boolean; hostNetwork?: boolean } = {}): Promise<Holder> {
    // A spare has its own network and no PID namespace: they stay spare.
    if (options.pidNamespace || options.hostNetwork) return this.start(options.pidNamespace, options.hostNetwork);
    while (this.spares.length) {
      const h = await this.spares.shift()!;
      if (h && holderAlive(h) && !isStopped(h.pid)) return h;
      // A stopped (SIGSTOP) spare would never configure its eth0: killed, off the critical path.
      if (h && holderAlive(h)) void this.discard(h);
    }
    return this.start();
  }

  /** A pod record now names this holder: it leaves the register. */
  async owned(pid: number): Promise<void> {
    await removeFile(path.join(this.dir, String(pid)));
  }

  /**
   * Start spares up to SPARES, one at a time; call it once the latency-sensitive work is done.
   * Deferred a turn of the event loop, so a reply already written goes out before the spawn blocks.
   */
  refill(): void {
    if (!this.enabled || this.closed || this.filling || this.spares.length >= SPARES) return;
    this.filling = true;
    const spare = new Promise<void>((resolve) => setTimeout(resolve, 0))
      .then(() => (this.closed ? null : this.start()))
      .catch((err: Error) => {
        log.warn({ err: err.message }, 'could not start a spare pause holder');
        return null;
      });
    this.spares.push(spare);
    void spare.then((h) => {
      this.filling = false;
      if (h) return this.refill(); // the next one
      this.spares = this.spares.filter((p) => p !== spare); // none after a failure until the next operation asks
    });
  }

  /** The spares alive now (gc and the tests leave them out of what they look for). */
  async sparePids(): Promise<number[]> {
    const spares = await Promise.all(this.spares);
    return spares.filter((h): h is Holder => !!h && holderAlive(h)).map((h) => h.pid);
  }

  async close(): Promise<void> {
    this.closed = true;
    const spares = await Promise.all(this.spares);
    this.spares = [];
    for (const h of spares) if (h) await this.discard(h);
  }

  /** Stop a holder no pod will own; it leaves the register once it is gone. */
  private async discard(h: Holder): Promise<void> {
    try {
      await stopProcess(h.proc, 1000);
      await this.owned(h.pid);
    } catch (err) {
      log.warn({ pid: h.pid, err: (err as Error).message }, 'could not stop a spare pause holder: the next daemon start finds it in the register');
    }
  }

  /** A holder nobody could find after a crash is never handed out: if the register write fails, it is stopped. */
  private async start(pidNamespace = false, hostNetwork = false): Promise<Holder> {
    const h = await startPause({ pidNamespace, hostNetwork });
    const file = path.join(this.dir, String(h.pid));
    try {
      h.netns = await readNamespace(h.pid);
      h.startTime = await startTimeOf(h.pid);
      if (h.netns) await writeFile(file, `${h.netns} ${h.startTime}\n`, { mode: 0o600 });
    } catch (err) {
      await this.discard(h); // and its register file, which a full disk may still have created
      throw diskError(err, file, this.stateDir);
    }
    return h;
  }
}
