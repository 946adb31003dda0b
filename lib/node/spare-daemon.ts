// A node's spare daemon: a daemon process started ahead of need, its code loaded (Node's own start
// and the 0.9 MB bundle: about 110 ms of CPU here, half of a `node restart`'s own work), waiting on
// a socket for the daemon line to run. `node start|restart` hand it the line instead of starting a
// process, then start the next spare, as the holder pool keeps a spare pause (sandbox/pool.ts).
// It loads at the lowest priority (nice 19, bin/minipod.js), so it takes only CPU nothing else
// wants, and runs at the daemon's own once it is one. It runs no code that a new daemon would not:
// it is told the line and the environment a launcher would start a daemon with, and declines
// (and exits) if Node, bin/ or the daemon's bundle changed since it loaded them (a rebuild or an
// upgrade, the usual reason for a restart) or if the environment differs; the launcher then starts
// one as before. Its command line names the node's state dir, so that it is found as the node's
// daemon (daemon-process.ts readDaemon) once it is one.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { log } from '../log.js';
import { tools } from '../os/host.js';
import { statFields } from '../process/identity.js';
import { nsenterArgv } from '../process/nsenter.js';
import { waitUntil } from '../util/wait.js';
import { alive, readIdentity, writeIdentity, type Paths } from './daemon-process.js';
import { launch, watchDetached, type Launched } from './launch.js';
import type { NodeCgroup } from './node-cgroup.js';
import { NODE_NAMESPACES } from './node-holder.js';

export const SPARE_FLAG = '--spare';
const CLI = fileURLToPath(new URL('../../../bin/minipod.js', import.meta.url));
const REQUIRE_CACHED = fileURLToPath(new URL('../../../bin/require-cached.js', import.meta.url));
/** How long a spare has to answer: it does nothing else, so one that does not is stuck (stopped). */
const ANSWER_MS = 2000;
/** How long a spare still loading its code is waited for: a new daemon process is ready to work in about 120 ms here. */
const LOADING_MS = 1000;
/** The go message's most bytes: a daemon line and an environment. */
const GO_MAX = 1 << 20;

export interface Go {
  /** The daemon line (`daemon --state-dir …`) a launcher would have started. */
  argv: string[];
  /** The environment it would have started it with. */
  env: Record<string, string>;
}

// ---- The launcher's side: `node start|restart`, under the node's lock.

/** Start the node's next spare daemon (recorded in p.spareFile), unless env has MINIPOD_SPARE_DAEMON=0; a failure is logged, not thrown: a spare only saves time. */
export async function launchSpare(p: Paths, cg: NodeCgroup | undefined, holderPid: number, logFd: number, env: Record<string, string>): Promise<void> {
  if (env.MINIPOD_SPARE_DAEMON === '0') return;
  try {
    await rm(p.spareSocket, { force: true });
    const spare = await launch(cg, nsenterArgv(tools().nsenter, holderPid, NODE_NAMESPACES, [process.execPath, CLI, 'daemon', SPARE_FLAG, p.spareSocket, '--state-dir', p.stateDir]), { stderr: logFd, env });
    spare.forget();
    await writeIdentity(p.spareFile, spare.pid);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not start a spare daemon: the next restart starts its daemon anew');
  }
}

/**
 * Hand the node's spare the daemon line `argv`: the daemon it becomes, or undefined if there is no
 * spare, or it declined (stale) or did not answer; a spare not taken is ended.
 */
export async function takeSpare(p: Paths, argv: string[], env: Record<string, string>): Promise<Launched | undefined> {
  const pid = await readIdentity(p.spareFile);
  await rm(p.spareFile, { force: true });
  if (!pid) return undefined;
  // A stopped one (SIGSTOP, a debugger) would not answer: not waited for. One still loading its
  // code (a restart right after the last) is, at normal priority: it is ahead of a new process.
  const stopped = ['T', 't'].includes((await statFields(pid))?.[0] ?? '');
  if (!stopped && !existsSync(p.spareSocket)) {
    await normalPriority(pid);
    await waitUntil(async () => existsSync(p.spareSocket) || !(await alive(pid)), { timeoutMs: LOADING_MS, everyMs: 5 });
  }
  const answer = stopped ? 'stopped' : await ask(p.spareSocket, `${JSON.stringify({ argv, env } satisfies Go)}\n`);
  if (answer === 'ok') return watchDetached(pid);
  log.info({ spare: pid, answer: answer ?? 'none' }, 'the spare daemon was not taken: starting a daemon anew');
  await (await watchDetached(pid)).kill('SIGKILL');
  return undefined;
}

/** The spare's one-line answer ('ok', 'stale: …'), or undefined if there was none in time. */
function ask(socket: string, message: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const conn = net.connect(socket, () => conn.write(message));
    const timer = setTimeout(() => conn.destroy(), ANSWER_MS);
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => (text += chunk));
    conn.on('error', () => {});
    conn.on('close', () => {
      clearTimeout(timer);
      resolve(text.endsWith('\n') ? text.trim() : undefined);
    });
  });
}

// ---- The spare's side (cmd/daemon-main.ts).

/** What identifies a file's text: the stamp bin/require-cached.js takes of a bundle (device, inode, size, times). */
export function stampOf(file: string): string {
  const st = statSync(file, { bigint: true });
  return `${st.dev}:${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}\n`;
}

/** The code this process runs: Node, bin/ and the bundles bin/require-cached.js loaded (their stamps as loaded); undefined if it loaded none. */
function codeStamps(): Map<string, string> | undefined {
  const loaded = Object.entries((globalThis as { minipodLoaded?: Record<string, string> }).minipodLoaded ?? {});
  return loaded.length ? new Map([...[process.execPath, CLI, REQUIRE_CACHED].map((f) => [f, stampOf(f)] as const), ...loaded]) : undefined;
}

/** Why this spare may not run go (its code or environment is not what a new daemon's would be), or undefined. */
export function staleness(go: Go, code: ReadonlyMap<string, string> | undefined, stateDir: string, canRun: (argv: string[]) => boolean, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!code) return 'stale: its code was not loaded through bin/require-cached.js, so what it runs is not known';
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
  const argv = Array.isArray(go?.argv) && go.argv.every((a) => typeof a === 'string') ? go.argv : [];
  const flag = argv.indexOf('--state-dir');
  if (argv[0] !== 'daemon' || flag < 0 || argv[flag + 1] !== stateDir || !canRun(argv)) return `stale: the line is not one a daemon of the state dir ${stateDir} takes`;
  const differs = [...new Set([...Object.keys(env), ...Object.keys(go.env)])].filter((k) => env[k] !== go.env[k] && !SESSION_VARIABLES.has(k));
  if (differs.length) return `stale: the environment differs (${differs.sort().join(', ')})`;
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
 * process is then to exit: a launcher starts a daemon anew).
 */
export function waitAsSpare(socket: string, stateDir: string, canRun: (argv: string[]) => boolean, code = codeStamps()): Promise<Go | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((conn) => {
      let text = '';
      conn.setEncoding('utf8');
      conn.on('error', () => {});
      conn.on('data', (chunk: string) => {
        text += chunk;
        if (text.length > GO_MAX) conn.destroy();
        if (!text.endsWith('\n')) return;
        let go: Go;
        try {
          go = JSON.parse(text) as Go;
        } catch {
          conn.end('bad: not a go message\n');
          return;
        }
        server.close();
        const why = staleness(go, code, stateDir, canRun);
        conn.end(`${why ?? 'ok'}\n`, () => resolve(why ? undefined : go));
      });
    });
    server.once('error', reject);
    server.listen(socket);
  });
}

/** This process as a daemon started with go would be: its environment (a session's variables may differ), its title the line it runs (room: its command line's length), every thread at nice 0. */
export async function becomeDaemon(go: Go, room = readFileSync('/proc/self/cmdline').length - 1): Promise<void> {
  for (const k of Object.keys(process.env)) if (!(k in go.env)) delete process.env[k];
  Object.assign(process.env, go.env);
  process.title = titleOf([process.execPath, CLI, ...go.argv], room);
  await normalPriority();
}

/** As many whole words of argv as room holds (a process's title goes where its command line was, and is cut to its length), then "...". */
export function titleOf(argv: readonly string[], room: number): string {
  let title = argv.join(' ');
  for (let n = argv.length - 1; Buffer.byteLength(title) > room && n > 0; n--) title = `${argv.slice(0, n).join(' ')} ...`;
  return title;
}

/** Every thread of a process (this one by default) back at nice 0: Linux keeps a nice value per thread, and a spare's were made at 19. */
async function normalPriority(pid: number | 'self' = 'self'): Promise<void> {
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    try {
      os.setPriority(Number(tid), 0);
    } catch {
      // a thread that ended meanwhile
    }
  }
}
