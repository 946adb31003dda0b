// A long-lived child (a pause holder, a shim, pidwatch, `ip -batch`) on node:child_process, with
// the little of execa's subprocess that minipod used: awaiting it gives its exit, never a
// rejection. A pod's holder and shim live as long as the pod, and execa kept about 60 KiB of
// bookkeeping per subprocess (its stream and promise machinery): most of what a pod cost the
// daemon in memory (README, "Benchmarks": the daemon's memory). Short commands: command.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Proc, ProcResult, SpawnOptions } from './types.js';

export function spawnChild(file: string, args: readonly string[], options: SpawnOptions): Proc {
  const child: ChildProcess = spawn(file, args, {
    // An fd goes straight to the child (an app writes its log file itself, daemon or not).
    stdio: options.fd3 === undefined ? options.stdio : [...options.stdio, options.fd3],
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    // Its own process group: a Ctrl-C aimed at the daemon never reaches a pod.
    detached: !options.ourGroup,
  });
  const done = ended(child).then((e): ProcResult => {
    if ('spawnError' in e) return { exitCode: undefined, signal: undefined, failed: true, message: `${file}: ${e.spawnError.message}${options.cwd ? ` (working directory ${options.cwd})` : ''}` };
    const how = e.signal ? `was killed with ${e.signal}` : `exited with code ${e.code}`;
    return { exitCode: e.code ?? undefined, signal: e.signal ?? undefined, failed: e.code !== 0, ...(e.code !== 0 ? { message: `${file} ${how}` } : {}) };
  });
  return Object.assign(child, {
    then: done.then.bind(done),
    catch: done.catch.bind(done),
  }) as unknown as Proc;
}

/** How a child ended: its code or signal, or why it never started. */
export type Ending = { code: number | null; signal: NodeJS.Signals | null } | { spawnError: NodeJS.ErrnoException };

/**
 * How a child (of spawnChild, or a short or attached command: command.ts) ended. 'close': after its
 * exit and its pipes' end, as execa resolved. A spawn that failed (no such file, or no such working
 * directory) emits 'error' and may never close; a kill that failed emits one too, for a child still
 * running: not its end. A pipe to a child that died fails a write with EPIPE: its end is what we act
 * on, not that.
 */
export function ended(child: ChildProcess): Promise<Ending> {
  for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.on('error', () => {});
  return new Promise((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve({ spawnError: err });
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
  });
}
