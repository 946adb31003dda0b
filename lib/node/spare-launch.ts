// A node's spare daemon (spare-daemon.ts), from the launcher's side: `node start|restart`, under the
// node's lock, hand the new daemon's line to the one waiting instead of starting a process. The
// node's daemon starts the next one once it answers (next-spare.ts).
import { existsSync, fstatSync } from 'node:fs';
import os from 'node:os';
import { log } from '../log.js';
import { readNamespace } from '../process/namespace.js';
import { isStopped } from '../process/identity.js';
import { exchange } from '../util/exchange.js';
import { waitUntil } from '../util/wait.js';
import { alive, readIdentity, type Paths } from './daemon-process.js';
import { MINIPOD_CLI, watchDetached, type Launched } from './launch.js';
import { NODE_NAMESPACES } from './node-holder.js';
import { fileId, ownLimits, setNice, type Go } from './spare-daemon.js';
import { removeFile } from '../util/remove-file.js';

/** How long a spare has to answer: it does nothing else, so one that does not is stuck. */
const ANSWER_MS = 2000;
/** How long a spare still loading its code is waited for: about what a new daemon process takes to load here, at normal priority. */
const LOADING_MS = 300;

/** Spares are started unless the launcher's environment says MINIPOD_SPARE_DAEMON=0. */
export const wanted = (env: NodeJS.ProcessEnv) => env.MINIPOD_SPARE_DAEMON !== '0';

/**
 * Hand the node's spare the daemon line `argv`, to run with env and the node's log (logFd): the
 * daemon it becomes, or undefined (no spare, or not wanted, or it declined, or did not answer); a
 * spare not taken is ended.
 */
export async function takeSpare(p: Paths, argv: string[], env: Record<string, string>, logFd: number, holderPid: number): Promise<Launched | undefined> {
  const pid = await recorded(p);
  if (!pid) return undefined;
  const spare = await watchDetached(pid);
  spare.forget();
  let answer: string | undefined = 'not wanted';
  try {
    // In the node holder's namespaces: after the holder died and a new one was made, a spare
    // still sits in the old ones (and its daemon would run there, not on the node).
    if (!(await inNamespacesOf(pid, holderPid))) answer = "not in the node holder's namespaces";
    else if (wanted(env)) answer = await ask(p, pid, { argv, env, nice: os.getPriority(), log: fileId(fstatSync(logFd)), node: process.execPath, cli: MINIPOD_CLI, limits: ownLimits() });
  } finally {
    await removeFile(p.spareFile);
    if (answer !== 'ok') await spare.kill('SIGKILL');
  }
  if (answer === 'ok') return spare;
  log.info({ spare: pid, answer: answer ?? 'none' }, 'the spare daemon was not taken: starting a daemon anew');
  return undefined;
}

/** The recorded spare, if it is still that process; a spare.pid that cannot be trusted (a symlink, not root's) is removed, not followed: a spare only saves time. */
async function recorded(p: Paths): Promise<number | undefined> {
  try {
    return await readIdentity(p.spareFile);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'ignoring the spare daemon\'s record');
    await removeFile(p.spareFile);
    return undefined;
  }
}

/** Whether pid is in the network and mount namespaces of holderPid. */
async function inNamespacesOf(pid: number, holderPid: number): Promise<boolean> {
  for (const ns of NODE_NAMESPACES) {
    const [a, b] = await Promise.all([readNamespace(pid, ns), readNamespace(holderPid, ns)]);
    if (!a || a !== b) return false;
  }
  return true;
}

/** The spare's answer to go, at its launcher's priority: 'ok', or why not; undefined if it is stopped, or gave none in time. */
async function ask(p: Paths, pid: number, go: Go): Promise<string | undefined> {
  // A stopped one (SIGSTOP, a debugger) would not answer: not waited for.
  if (isStopped(pid)) return 'stopped';
  // At the launcher's priority from now: it is the next daemon. One still loading its code (a
  // restart right after the last) is waited for a while: it is ahead of a new process.
  setNice(pid, go.nice);
  if (!existsSync(p.spareSocket)) await waitUntil(async () => existsSync(p.spareSocket) || !(await alive(pid)), { timeoutMs: LOADING_MS, everyMs: 5 });
  return (await exchange(p.spareSocket, `${JSON.stringify(go)}\n`, ANSWER_MS))?.trim();
}

