// The one door to the OS: every external program minipod runs goes through here (execa, argv
// arrays, never a shell). Each call is timed, logged and counted: spawns are a sandbox's main cost.
import { execa, type Options, type ResultPromise } from 'execa';
import { log } from '../log.js';
import { CommandError } from './command-error.js';

let spawns = 0;

/** Number of processes this daemon has spawned; the benchmark reads it through the API. */
export function spawnCount(): number {
  return spawns;
}

/** A short command still running after this long is stuck (or stopped): killed, and the call fails. */
const RUN_TIMEOUT_MS = 30_000;

/** Run a short command to completion; resolves with stdout, throws CommandError. */
export async function run(argv: readonly string[], options: { input?: string; timeoutMs?: number; fd3?: number } = {}): Promise<string> {
  const [file, ...args] = argv;
  const started = performance.now();
  spawns++;
  // fd3: a descriptor of ours the command gets as its fd 3 (flock(1) locks our open file with it).
  const stdio = options.fd3 === undefined ? {} : { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', options.fd3] as const };
  // SIGKILL at once on timeout: a stopped process would never act on execa's default SIGTERM.
  const result = await execa(file!, args, { reject: false, input: options.input, stripFinalNewline: false, timeout: options.timeoutMs ?? RUN_TIMEOUT_MS, killSignal: 'SIGKILL', ...stdio } as Options);
  const ms = performance.now() - started;
  log.debug({ argv, ms: Math.round(ms * 10) / 10, exitCode: result.exitCode }, 'exec');
  if (result.failed) {
    throw new CommandError(argv, result.exitCode, result.signal, String(result.stderr || result.message), result);
  }
  return String(result.stdout);
}

/** Run a command with our stdio attached (an interactive `minipod node exec`); resolves with its exit code. */
export async function runAttached(argv: readonly string[]): Promise<number> {
  const [file, ...args] = argv;
  spawns++;
  const result = await execa(file!, args, { stdio: 'inherit', reject: false });
  return result.exitCode ?? 1;
}

export interface SpawnOptions {
  /** stdin/stdout/stderr: 'pipe', 'ignore' or an open file descriptor. */
  stdio: ['pipe' | 'ignore', 'pipe' | 'ignore' | number, 'pipe' | 'ignore' | number];
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * Start a long-running process (a pause holder, an app). It gets its own process group
 * (so a Ctrl-C aimed at the daemon never reaches a pod) and is not killed when the daemon exits.
 */
export type Proc = ResultPromise<Options>;

export function spawnProcess(argv: readonly string[], options: SpawnOptions): Proc {
  const [file, ...args] = argv;
  spawns++;
  log.debug({ argv }, 'spawn');
  const execaOptions: Options = {
    stdin: options.stdio[0],
    // An fd goes straight to the child (the app writes its log file itself, daemon or not);
    // execa's types only list fds 3-9 but it passes any fd through to child_process.
    stdout: options.stdio[1] as 'pipe',
    stderr: options.stdio[2] as 'pipe',
    env: options.env,
    extendEnv: options.env === undefined,
    cwd: options.cwd,
    detached: true,
    cleanup: false,
    buffer: false,
    reject: false,
  };
  return execa(file!, args, execaOptions);
}
