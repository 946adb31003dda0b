// What both runtimes share through rootfs/shim, the parent of every container: the container as
// the pod sees it (the app's own pid; its exit once the shim has reported it), the shim's status
// file and how it is read, how the pid of what the shim runs is learnt, and how a container a
// daemon before us started is watched and stopped. See the header of rootfs/shim/shim.c.
import { EventEmitter, once } from 'node:events';
import { constants } from 'node:os';
import { nanoid } from 'nanoid';
import { type Proc } from '../os/host.js';
import { hasExited, onExit, type Watchable } from '../process/exit.js';
import { stopProcess } from '../process/stop.js';
import type { PidWatcher } from '../process/watcher.js';
import { readTextIfAny } from '../util/read-if-any.js';
import { waitUntil } from '../util/wait.js';

/** What start() names a container: POD-NAME-8 alphanumerics (a path component, never "." or ".."). */
export const CONTAINER_ID = /^[a-z0-9][a-z0-9-]*-[A-Za-z0-9]{8}$/;
/** The shim's status file: written once what it runs has exited. */
export const EXIT_FILE = 'exit';
/** The container's exit follows its process's by a moment: the shim writes the file right after. */
export const SHIM_WRITE_MS = 3000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function newContainerId(pod: string, name: string): string {
  return `${pod}-${name}-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
}

/** A container run by a shim: its own pid, and the exit the shim reports for it. */
export class ShimmedContainer extends EventEmitter implements Watchable {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  exited = false;
  /** With pid, its identity (stopProcess checks a pid still there after SIGKILL against it). */
  startTime: string | undefined;
  /** Set before 'exit' when the kernel's OOM killer ended a process of the container. */
  oomKilled = false;
  /** A container watched through the watcher (re-adopted, or its shim died): `stop` signals this one, whose exit ends the container. */
  adopted?: Watchable;

  constructor(readonly id: string, public pid: number | undefined) {
    super();
  }

  /** Called once its shim has reported (or its watcher heard) the exit, and its files are gone. */
  ended(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
  }
}

/**
 * How the shim's child ended ("code N" / "signal N"); undefined while it runs or if nothing was
 * kept. A signal is also exit code 128+N, as kubelet reports a killed container (137: SIGKILL).
 */
export async function readExitStatus(file: string): Promise<ExitStatus | undefined> {
  const m = /^(code|signal) (\d+)\n$/.exec((await readTextIfAny(file)) ?? '');
  if (!m) return undefined;
  const n = Number(m[2]);
  return m[1] === 'signal' ? { code: 128 + n, signal: signalName(n) ?? 'SIGKILL' } : { code: n, signal: null };
}

function signalName(n: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as [NodeJS.Signals, number][]).find(([, v]) => v === n)?.[0];
}

/**
 * The pid the shim's child tells on the shim's stdout (`shim -p`), before it execs: -1 if the
 * pipe closed without one (the shim failed), undefined after timeoutMs.
 */
export function pidFromShim(shim: Proc, timeoutMs: number): Promise<number | undefined> {
  const out = shim.stdout!;
  return new Promise((resolve) => {
    let text = '';
    const done = (pid: number | undefined) => {
      clearTimeout(timer);
      out.removeListener('data', onData).removeListener('end', onEnd);
      out.resume(); // nothing more comes, but never leave a pipe unread
      resolve(pid);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const m = /^(\d+)\n/.exec(text);
      if (m) done(Number(m[1]));
    };
    const onEnd = () => done(-1);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    out.on('data', onData).once('end', onEnd);
  });
}

/** The pid runc writes to pidFile, or -1 once the shim has exited without it; undefined after timeoutMs. */
export async function pidFromFile(shim: Proc, pidFile: string, timeoutMs: number): Promise<number | undefined> {
  return waitUntil(async () => Number(((await readTextIfAny(pidFile)) ?? '').trim()) || (shim.exitCode !== null || shim.signalCode !== null ? -1 : undefined), { timeoutMs, everyMs: 2 });
}

/**
 * Watch a container a daemon before us started, through its own pid (pidwatch): once that is
 * gone, its exit is what the shim wrote (read within shimWriteMs; 0 for a shim known dead), then
 * `reap` removes its files and ends it. A shim that died before its container leaves no status:
 * the exit is what the watcher heard, if anything (unknown, for a process not its child).
 */
export function watchShimmed(watcher: PidWatcher, container: ShimmedContainer, startTime: string, status: () => Promise<ExitStatus | undefined>, reap: (s: ExitStatus | undefined) => Promise<void>, shimWriteMs = SHIM_WRITE_MS): ShimmedContainer {
  container.startTime = startTime;
  const adopted = watcher.adopt(container.pid!, startTime);
  container.adopted = adopted;
  onExit(adopted, (code, signal) => {
    void (async () => {
      const kept = await waitUntil(status, { timeoutMs: shimWriteMs, everyMs: 10 });
      await reap(kept ?? (code !== null || signal !== null ? { code, signal } : undefined));
    })();
  });
  return container;
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the container has ended (its shim reported it). */
export async function stopShimmed(proc: Watchable, graceMs: number): Promise<void> {
  // A watched one is stopped as the watcher's process (its identity checks, its exit marked when
  // the pid is gone unheard of); either ends once the shim's status is read and its files are gone.
  const adopted = proc instanceof ShimmedContainer ? proc.adopted : undefined;
  if (!adopted) return void (await stopProcess(proc, graceMs));
  const ended = hasExited(proc) ? Promise.resolve() : once(proc, 'exit');
  await stopProcess(adopted, graceMs);
  await ended;
}
