// A node's spare daemon: a daemon process started ahead of need, its code loaded (Node's own start
// and the 0.9 MB bundle: about 110 ms of CPU here), waiting on a socket for the daemon line to run.
// `node start|restart` hand it the line instead of starting a process (spare-launch.ts), as the
// holder pool keeps a spare pause (sandbox/pool.ts). It is started at nice 19, so that it takes
// only CPU nothing else wants, and runs at its launcher's priority once it is a daemon. This is its
// side. It runs only what a daemon started then would: it declines (and exits) if its launcher is
// another installation or Node, if Node, bin/ or a bundle changed on disk since it loaded them (a
// rebuild or an upgrade, the usual reason for a restart), if the environment differs but for a
// session's own variables, if the resource limits differ, or if the node's log is another file
// than the one it writes to; the launcher then starts a daemon anew. One whose socket is gone or
// another's (its launcher lost track of it) ends itself.
import { fstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { MINIPOD_CLI } from './launch.js';
import { reniceStarted } from '../os/prestart.js';
import { forgetTools } from '../os/tools.js';

export const SPARE_FLAG = '--spare';
/** The go message's most characters: a daemon line and an environment (Linux lets a process's take 2 MiB). */
const GO_MAX = 8 << 20;
/** How often a waiting spare checks that its socket is still its own: a launcher that lost track of it (spare.pid removed) binds the next one's there. */
const OWN_SOCKET_MS = 1000;

export interface Go {
  /** The daemon line (`daemon --state-dir …`) a launcher would have started. */
  argv: string[];
  /** The environment it would have started it with. */
  env: Record<string, string>;
  /** The launcher's nice value, which a daemon it started would have. */
  nice: number;
  /** The node's log as the launcher opened it (fileId): a started daemon's stdout and stderr. */
  log: string;
  /** The launcher's Node and bin/minipod.js: another installation's spare is not its daemon. */
  node: string;
  cli: string;
  /** The launcher's /proc/self/limits, which a daemon it started would have (ulimit -n…). */
  limits: string;
}

/** Which file a descriptor or path is: device and inode. */
export const fileId = (st: { dev: number | bigint; ino: number | bigint }) => `${st.dev}:${st.ino}`;

/** What identifies a file's text: the stamp bin/require-cached.js takes (fileStamp; a unit test holds them equal). */
export function stampOf(file: string): string {
  const st = statSync(file, { bigint: true });
  return `${fileId(st)} ${st.size} ${st.mtimeNs} ${st.ctimeNs}\n`;
}

/** The code this process runs, as it loaded it: bin/ and the bundles (stamped by bin/minipod.js and bin/require-cached.js); undefined if none was. */
function codeStamps(): Map<string, string> | undefined {
  const loaded = Object.entries((globalThis as { minipodLoaded?: Record<string, string> }).minipodLoaded ?? {});
  return loaded.length ? new Map(loaded) : undefined;
}

/** What a spare compares with the go message: its own environment and log, and whether Node on disk is the one running. */
export interface SpareSelf {
  env: NodeJS.ProcessEnv;
  log: string | undefined;
  nodeReplaced: boolean;
  limits: string;
}

/** This process's resource limits, as a launcher sends its own. */
export const ownLimits = () => readFileSync('/proc/self/limits', 'utf8');

function self(): SpareSelf {
  let nodeReplaced = true;
  try {
    nodeReplaced = fileId(statSync('/proc/self/exe')) !== fileId(statSync(process.execPath));
  } catch {
    // gone: replaced
  }
  let log: string | undefined;
  try {
    log = fileId(fstatSync(2));
  } catch {
    // no stderr: no log to compare
  }
  return { env: process.env, log, nodeReplaced, limits: ownLimits() };
}

/** Why this spare may not run go (its code, environment or log is not a new daemon's), or undefined. */
export function staleness(go: Go, code: ReadonlyMap<string, string> | undefined, stateDir: string, canRun: (argv: string[]) => boolean, me: SpareSelf = self()): string | undefined {
  if (!code) return 'stale: its code was not loaded through bin/, so what it runs is not known';
  if (go?.node !== process.execPath || go.cli !== MINIPOD_CLI) return `stale: it runs ${process.execPath} ${MINIPOD_CLI}, not the launcher's ${String(go?.node)} ${String(go?.cli)}`;
  if (me.nodeReplaced) return `stale: ${process.execPath} changed since the spare started`;
  for (const [file, stamp] of code) {
    let now: string | undefined;
    try {
      now = stampOf(file);
    } catch {
      // gone: changed
    }
    if (now !== stamp) return `stale: ${file} changed since the spare loaded it`;
  }
  if (typeof go?.env !== 'object' || go.env === null) return 'stale: no environment given';
  const argv = Array.isArray(go.argv) && go.argv.every((a) => typeof a === 'string') ? go.argv : [];
  const flag = argv.indexOf('--state-dir');
  if (argv[0] !== 'daemon' || flag < 0 || argv[flag + 1] !== stateDir || !canRun(argv)) return `stale: the line is not one a daemon of the state dir ${stateDir} takes`;
  const differs = [...new Set([...Object.keys(me.env), ...Object.keys(go.env)])].filter((k) => me.env[k] !== go.env[k] && !SESSION_VARIABLES.has(k));
  if (differs.length) return `stale: the environment differs (${differs.sort().join(', ')})`;
  if (go.log !== me.log) return "stale: the node's log is another file than the one the spare writes to (removed or rotated)";
  if (!Number.isInteger(go.nice) || go.nice < -20 || go.nice > 19) return 'stale: no nice value given';
  if (go.limits !== me.limits) return "stale: its resource limits (ulimit) are not the launcher's";
  return undefined;
}

/**
 * What no daemon reads: what a shell, sudo or ssh set for their session (sudo's SUDO_COMMAND is the
 * whole command line), and the CLI's own MINIPOD_SOCKET and MINIPOD_CLUSTER_DIR (`node start` says
 * to export the first). A spare started from one shell may run a line sent from another; any other
 * variable that differs (PATH, LANG, MINIPOD_LOG_LEVEL, NODE_OPTIONS…) makes it stale.
 */
const SESSION_VARIABLES = new Set(['_', 'PWD', 'OLDPWD', 'SHLVL', 'TERM', 'COLUMNS', 'LINES', 'MAIL', 'LS_COLORS', 'SUDO_COMMAND', 'SUDO_USER', 'SUDO_UID', 'SUDO_GID', 'SSH_CLIENT', 'SSH_CONNECTION', 'SSH_TTY', 'XDG_SESSION_ID', 'MINIPOD_SOCKET', 'MINIPOD_CLUSTER_DIR']);

/**
 * Wait on `socket` for the daemon line to run: once it is answered 'ok', what was sent, for
 * becomeDaemon; undefined once a line this spare may not run has been answered with why (the
 * process is then to exit: its launcher starts a daemon anew).
 */
export function waitAsSpare(socket: string, stateDir: string, canRun: (argv: string[]) => boolean, code = codeStamps(), me?: SpareSelf): Promise<Go | undefined> {
  let own: NodeJS.Timeout | undefined;
  return new Promise((resolve, reject) => {
    const server = net.createServer((conn) => {
      let text = '';
      conn.setEncoding('utf8');
      conn.on('error', () => {});
      conn.on('data', (chunk: string) => {
        text += chunk;
        if (text.length > GO_MAX) return void conn.destroy();
        if (!text.endsWith('\n')) return;
        let go: Go;
        try {
          go = JSON.parse(text) as Go;
        } catch {
          conn.end('bad: not a go message\n');
          return;
        }
        clearInterval(own); // its socket goes with its listener
        server.close();
        const why = staleness(go, code, stateDir, canRun, me);
        // Declined: it exits once the answer is out. Taken: it runs the line at once (a socket's
        // write is tried at once, so 'ok' is on its way; waiting for the end to be flushed held the
        // daemon's start back by a few ms).
        if (why) return void conn.end(`${why}\n`, () => resolve(undefined));
        conn.end('ok\n');
        resolve(go);
      });
    });
    server.once('error', reject);
    // Once its socket is gone or another's, nobody will send it a line: it ends.
    let mine: number | undefined;
    own = setInterval(() => {
      let now: number | undefined;
      try {
        now = statSync(socket).ino;
      } catch {
        // gone
      }
      if (mine !== undefined && now !== mine) process.exit(0);
    }, OWN_SOCKET_MS);
    server.listen(socket, () => (mine = statSync(socket).ino));
  });
}

/**
 * This process as the daemon a launcher would have started: its environment (a session's variables
 * may differ), every thread and the helpers it started (prestart.ts) at the launcher's nice value,
 * its title the line it runs (cut to its command line's length), its name still "node" (setting
 * the title renames the process too).
 */
export function becomeDaemon(go: Go, room = readFileSync('/proc/self/cmdline').length - 1): void {
  for (const k of Object.keys(process.env)) if (!(k in go.env)) delete process.env[k];
  Object.assign(process.env, go.env);
  // The tools are found again, as a daemon started now would find them (one installed or removed
  // while the spare waited); a helper it started is taken only if its program is still the one found.
  forgetTools();
  reniceStarted(go.nice);
  setNice('self', go.nice);
  process.title = titleOf([process.execPath, MINIPOD_CLI, ...go.argv], room);
  try {
    writeFileSync('/proc/self/comm', 'node');
  } catch {
    // a kernel without it: the name stays the title's head
  }
}

/** As many whole words of argv as room holds (a process's title goes where its command line was, and is cut to its length), then "...". */
export function titleOf(argv: readonly string[], room: number): string {
  let title = argv.join(' ');
  for (let n = argv.length - 1; Buffer.byteLength(title) > room && n > 0; n--) title = `${argv.slice(0, n).join(' ')} ...`;
  return title;
}

/**
 * Every thread of a process at this nice value: Linux keeps one per thread, and setpriority(2) on a
 * pid sets its main thread's only. The thread list is read at once (a few entries): through the
 * thread pool, the first call cost a spare's start as a daemon 3-4 ms.
 */
export function setNice(pid: number | 'self', nice: number): void {
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    // gone
  }
  for (const tid of tids) {
    try {
      os.setPriority(Number(tid), nice);
    } catch {
      // a thread that ended meanwhile
    }
  }
}
