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
  // A pipe to a child that died fails a write with EPIPE: its exit is what we act on, not that.
  for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.on('error', () => {});
  const done = new Promise<ProcResult>((resolve) => {
    // A spawn that failed (no such file, or no such working directory) emits 'error' and may never
    // close. A kill that failed emits one too, for a child still running: not its end.
    child.on('error', (err) => {
      if (child.pid === undefined) resolve({ exitCode: undefined, signal: undefined, failed: true, message: `${file}: ${err.message}${options.cwd ? ` (working directory ${options.cwd})` : ''}` });
    });
    // 'close': after its exit and its pipes' end, as execa resolves.
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      const how = signal ? `was killed with ${signal}` : `exited with code ${code}`;
      resolve({ exitCode: code ?? undefined, signal: signal ?? undefined, failed: code !== 0, ...(code !== 0 ? { message: `${file} ${how}` } : {}) });
    });
  });
  return Object.assign(child, {
    then: done.then.bind(done),
    catch: done.catch.bind(done),
  }) as unknown as Proc;
}
