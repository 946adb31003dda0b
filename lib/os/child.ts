// Programs on node:child_process (argv arrays, never a shell), with the little of execa that
// minipod used:
// - a long-lived child (a pause holder, a shim, pidwatch, `ip -batch`): awaiting it gives its
//   exit, never a rejection. A pod's holder and shim live as long as the pod, and execa kept about
//   60 KiB of bookkeeping per subprocess (its stream and promise machinery): most of what a pod
//   cost the daemon in memory (README, "Benchmarks": the daemon's memory);
// - a short command (linux.ts `run`): its input written, its output and errors collected, killed
//   with SIGKILL at its deadline. execa's first call cost a daemon's start 60-70 ms of CPU (its
//   code evaluated, then its machinery; `nft` and `ip` run before a restart answers), and each
//   call after that twice node:child_process's own (issue 13).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Proc, ProcResult, SpawnOptions } from './types.js';

/** How a short command ended, and what it printed. */
export interface CommandResult extends ProcResult {
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Run a short command to its end: input (if any) on its stdin, stdout and stderr collected as
 * they come (whole, trailing newline and all). Past timeoutMs it is SIGKILLed at once: a stopped
 * process would never act on a SIGTERM. Never rejects: a failure is in the result.
 */
export function runCommand(file: string, args: readonly string[], options: { input?: string; timeoutMs: number }): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    // A command that exits before reading all its input fails the write with EPIPE: its exit says how it went.
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.on('error', () => {});
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const end = (exitCode: number | undefined, signal: NodeJS.Signals | undefined, message?: string) => {
      clearTimeout(deadline);
      const failed = message !== undefined || exitCode !== 0;
      const how = timedOut ? `did not finish within ${options.timeoutMs} ms: killed with SIGKILL` : signal ? `was killed with ${signal}` : `exited with code ${exitCode}`;
      resolve({ exitCode, signal, failed, timedOut, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(failed ? { message: message ?? `${file} ${how}` } : {}) });
    };
    // A spawn that failed (no such file) emits 'error' and may never close.
    child.on('error', (e) => {
      if (child.pid === undefined) end(undefined, undefined, `${file}: ${e.message}`);
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => end(code ?? undefined, signal ?? undefined));
    child.stdin?.end(options.input);
  });
}

/** The signals an attached command is sent when we are: a Ctrl-C or a kill meant for the command it runs. */
const PASSED_ON = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Run a command with our stdin, stdout and stderr (`minipod node exec`); its exit code (1 if a
 * signal ended it). A SIGINT, SIGTERM or SIGHUP we get while it runs is passed on to it, and we
 * wait for its end, as `kubectl exec` and `docker exec` do.
 */
export function runAttachedCommand(file: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit' });
    const passOn = (signal: NodeJS.Signals) => void child.kill(signal);
    for (const signal of PASSED_ON) process.on(signal, passOn);
    const end = (code: number) => {
      for (const signal of PASSED_ON) process.off(signal, passOn);
      resolve(code);
    };
    child.on('error', () => {
      if (child.pid === undefined) end(127); // as a shell says of a command it cannot run
    });
    child.once('close', (code: number | null) => end(code ?? 1));
  });
}

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
