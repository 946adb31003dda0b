// A short command (linux.ts `run`) and an attached one (`node exec`) on node:child_process: argv
// arrays, never a shell. minipod used execa for them; its first call cost a daemon's start 60-70
// ms of CPU (its code evaluated, then its machinery: a restart runs `nft` and `ip` before it
// answers), and each call after that about twice node:child_process's own (issue 13).
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { ProcResult } from './types.js';
import { ended } from './child.js';
import { takeStartedCommand } from './prestart.js';

/** How a short command ended, and what it printed. */
export interface CommandResult extends ProcResult {
  stdout: string;
  stderr: string;
  /** Killed at its deadline, or for printing more than its limit (MAX_OUTPUT_BYTES): the message says which. */
  timedOut: boolean;
  outputTooLarge: boolean;
}

/** Past this much output a command is killed and fails (execa's maxBuffer): a string that size is
 * already far more than any command minipod runs prints, and V8 cannot make one of 512 MiB. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Short commands still running: killed if the daemon exits first, so none is left without its deadline. */
const running = new Set<ChildProcess>();
let killOnExit = false;

/**
 * Run a short command to its end: input (if any) on its stdin, stdout and stderr collected as
 * they come (whole, trailing newline and all). At timeoutMs it is SIGKILLed at once (a stopped
 * process would never act on a SIGTERM) and its pipes closed (a grandchild holding them does not
 * hold the call). Never rejects: a failure, the spawn's included, is in the result.
 */
export function runCommand(file: string, args: readonly string[], options: { input?: string; timeoutMs: number; maxOutputBytes?: number }): Promise<CommandResult> {
  const maxOutput = options.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let timedOut = false;
    let tooLarge = false;
    let child: ChildProcess | undefined;
    const end = (exitCode: number | undefined, signal: NodeJS.Signals | undefined, why?: string) => {
      clearTimeout(deadline);
      if (child) running.delete(child);
      const how = why ?? (timedOut ? `did not finish within ${options.timeoutMs} ms: killed with SIGKILL`
        : tooLarge ? `printed more than ${maxOutput} bytes: killed with SIGKILL`
          : signal ? `was killed with ${signal}` : `exited with code ${exitCode}`);
      const failed = why !== undefined || timedOut || tooLarge || exitCode !== 0;
      resolve({ exitCode, signal, failed, timedOut, outputTooLarge: tooLarge, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(failed ? { message: how } : {}) });
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const stop = () => {
      child?.kill('SIGKILL');
      child?.stdout?.destroy();
      child?.stderr?.destroy();
    };
    try {
      // One fed on its stdin may have been started by a spare daemon already (prestart.ts).
      child = (options.input !== undefined ? takeStartedCommand([file, ...args]) : undefined) ?? spawn(file, args, { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    } catch (e) {
      // Refused before any process: an argument list too long (E2BIG), a NUL byte in an argument.
      return end(undefined, undefined, `could not start: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const proc = child;
    running.add(proc);
    if (!killOnExit) {
      killOnExit = true;
      process.on('exit', () => {
        for (const c of running) c.kill('SIGKILL');
      });
    }
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxOutput) {
        if (!tooLarge) (tooLarge = true), stop();
        return;
      }
      into.push(chunk);
    };
    proc.stdout!.on('data', collect(out));
    proc.stderr!.on('data', collect(err));
    void ended(proc).then((e) => ('spawnError' in e ? end(undefined, undefined, `could not start: ${e.spawnError.code ?? e.spawnError.message}`) : end(e.code ?? undefined, e.signal ?? undefined)));
    proc.stdin?.end(options.input);
  });
}

/**
 * Run a command with our stdin, stdout and stderr (`minipod node exec`); its exit code (128 + the
 * signal's number if a signal ended it, as a shell says). We wait for its end whatever signal we
 * get, as `kubectl exec` does. On a terminal, a Ctrl-C, a Ctrl-\ or a hangup reaches the command
 * itself (it is in our process group, the terminal's foreground): we only wait. Otherwise a
 * SIGINT or SIGHUP sent to us is passed on, as a SIGTERM always is.
 */
export function runAttachedCommand(file: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const onTerminal = process.stdin.isTTY === true;
    const handled: NodeJS.Signals[] = onTerminal ? ['SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGTERM'] : ['SIGINT', 'SIGHUP', 'SIGTERM'];
    let child: ChildProcess | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (!onTerminal || signal === 'SIGTERM') child?.kill(signal);
    };
    const end = (code: number) => {
      for (const signal of handled) process.off(signal, onSignal);
      resolve(code);
    };
    try {
      child = spawn(file, args, { stdio: 'inherit' });
    } catch (e) {
      process.stderr.write(`minipod: ${file}: could not start: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return resolve(127);
    }
    const proc = child;
    for (const signal of handled) process.on(signal, onSignal);
    void ended(proc).then((e) => {
      if (!('spawnError' in e)) return end(e.code ?? 128 + (e.signal ? (constants.signals[e.signal] ?? 0) : 0));
      process.stderr.write(`minipod: ${file}: could not start: ${e.spawnError.code ?? e.spawnError.message}\n`); // 127, as a shell says of a command it cannot run
      end(127);
    });
  });
}
