// The real door: programs through command.ts and child.ts (argv arrays, never a shell; short
// commands, attached ones, long-lived ones), signals through kill(2), /proc through the
// filesystem. Each run is timed and logged at debug level.
import { accessSync, closeSync, constants, openSync, readlinkSync } from 'node:fs';
import { readdir, readlink, writeFile } from 'node:fs/promises';
import { log } from '../log.js';
import { spawnChild } from './child.js';
import { runAttachedCommand, runCommand } from './command.js';
import { CommandError } from './command-error.js';
import type { Host } from './types.js';
import { readFileIfAny, readTextIfAny } from '../util/read-if-any.js';

/** A short command still running after this long is stuck (or stopped): killed, and the call fails. */
const RUN_TIMEOUT_MS = 30_000;

const procPath = (pid: number | 'self', file: string) => `/proc/${pid}/${file}`;
/**
 * /proc files and links read with one synchronous call (readProc, procLink below): made from the
 * process's own fields, under no lock another task may hold for long. The rest (cmdline, environ
 * and exe under the process's mmap lock, cgroup under the kernel's cgroup lock, mountinfo under
 * the mount namespace's, net/* over every socket) is read on the thread pool.
 */
const AT_ONCE = /^(stat|status|task\/\d+\/children|ns\/[a-z_]+)$/;

/**
 * read() on the event loop's next turn, as an fs.promises call answers, without its cost: a chain
 * of reads awaited one after another lets the API's requests in between, as it did when each went
 * to the thread pool (answered at once, a pod's teardown ran its reads as one stretch and held up
 * answers). Reads started together still run together, in one turn.
 */
const nextTurn = <T>(read: () => T): Promise<T> => new Promise((resolve) => setImmediate(() => resolve(read())));

export const linuxHost: Host = {
  async run(argv, options = {}) {
    const [file, ...args] = argv;
    const started = performance.now();
    const result = await runCommand(file!, args, { ...(options.input !== undefined ? { input: options.input } : {}), timeoutMs: options.timeoutMs ?? RUN_TIMEOUT_MS });
    const ms = performance.now() - started;
    log.debug({ argv, ms: Math.round(ms * 10) / 10, exitCode: result.exitCode }, 'exec');
    // What it said on stderr, unless we ended it (its deadline, its output's size) or it said nothing.
    const said = result.timedOut || result.outputTooLarge || !result.stderr ? result.message! : result.stderr;
    if (result.failed) throw new CommandError(argv, result.exitCode, result.signal, said, result);
    return result.stdout;
  },

  runAttached(argv) {
    const [file, ...args] = argv;
    return runAttachedCommand(file!, args);
  },

  spawn(argv, options) {
    const [file, ...args] = argv;
    log.debug({ argv }, 'spawn');
    return spawnChild(file!, args, options);
  },

  kill(pid, signal) {
    try {
      process.kill(pid, signal);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw err;
    }
  },

  // A process's own fields (AT_ONCE) in one synchronous call: 15-20 µs for a stat, where
  // fs.promises' readFile costs ten times that in CPU (open, fstat, read and close, each a trip to
  // the thread pool), and a daemon start reads thousands (issue 13); answered on the loop's next turn.
  readProc: (pid, file) => (AT_ONCE.test(file) ? nextTurn(() => linuxHost.readProcSync(pid, file)) : readTextIfAny(procPath(pid, file))),

  readProcSync: (pid, file) => readFileIfAny(procPath(pid, file)),

  procLink: (pid, link) => (AT_ONCE.test(link) ? nextTurn(() => linuxHost.procLinkSync(pid, link)) : readlink(procPath(pid, link)).catch(() => undefined)),
  procLinkSync(pid, link) {
    try {
      return readlinkSync(procPath(pid, link));
    } catch {
      return undefined;
    }
  },

  async pids() {
    return (await readdir('/proc')).map(Number).filter((n) => n > 0);
  },

  openNamespace(pid, kind) {
    let fd: number;
    try {
      fd = openSync(procPath(pid, `ns/${kind}`), 'r');
    } catch {
      return undefined; // gone
    }
    let ns: string;
    try {
      ns = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      closeSync(fd);
      return undefined;
    }
    let closed = false;
    return {
      ns,
      close() {
        if (closed) return;
        closed = true;
        closeSync(fd);
      },
    };
  },

  executable(file) {
    // Once per program and PATH directory when tools are looked for: at once, as which(1) does.
    try {
      accessSync(file, constants.X_OK);
      return Promise.resolve(true);
    } catch {
      return Promise.resolve(false);
    }
  },

  // A key with slashes is taken as written (an interface name in it may hold dots), as sysctl(8) does.
  writeSysctl: (key, value) => writeFile(`/proc/sys/${key.includes('/') ? key : key.replaceAll('.', '/')}`, value),
};
