// The node's daemon as a process: which pid it is (recorded with its start time, so a reused pid
// is never taken for it), and how it is asked to go.
import { requestOnce } from '../api/get-once.js';
import { kill } from '../os/host.js';
import { commandLine, isSameProcess, startTimeOf } from '../process/identity.js';
import { waitUntil } from '../util/wait.js';
import type { nodePaths } from '../node-paths.js';
import { readPrivate, writePrivate } from './secure-dir.js';
import { removeFile } from '../util/remove-file.js';

export type Paths = ReturnType<typeof nodePaths>;

/** How long the daemon's API has to answer a node command before it is taken for stuck. */
const ANSWER_TIMEOUT_MS = 5000;

/** Alive and not a zombie: an exited daemon may wait a while for init to reap it. */
export const alive = async (pid: number) => (await startTimeOf(pid)) !== undefined;

/** "PID STARTTIME" from a file of ours: the pid only if it is still that very process. */
export async function readIdentity(file: string): Promise<number | undefined> {
  const [pid, startTime] = ((await readPrivate(file)) ?? '').trim().split(' ');
  return pid && /^\d+$/.test(pid) && (await isSameProcess(Number(pid), startTime)) ? Number(pid) : undefined;
}

export async function writeIdentity(file: string, pid: number): Promise<void> {
  await writePrivate(file, `${pid} ${await startTimeOf(pid)}\n`);
}

/** The node's daemon's pid, if it is running: the recorded process, and a minipod daemon on this state dir. */
export async function readDaemon(p: Paths): Promise<number | undefined> {
  const pid = await readIdentity(p.pidFile);
  const cmdline = pid ? await commandLine(pid) : '';
  return pid && cmdline.split(' ').includes('daemon') && cmdline.includes(p.stateDir) ? pid : undefined;
}

/** Ask the daemon to shut down over its API (stopping every pod or not): its answer, or undefined if it cannot be asked. */
async function requestShutdown(socket: string, stopPods: boolean): Promise<{ handoff?: unknown } | undefined> {
  return requestOnce<{ handoff?: unknown }>(socket, '/shutdown', { method: 'POST', body: { stopPods }, timeoutMs: ANSWER_TIMEOUT_MS }).catch(() => undefined);
}

/** Stop the node's daemon and wait until it is gone; SIGKILL after timeoutMs. */
export async function stopDaemon(p: Paths, stopPods: boolean, timeoutMs: number): Promise<void> {
  const pid = await readDaemon(p);
  if (!pid) return;
  await stopDaemonPid(p, pid, stopPods, timeoutMs);
  await removeFile(p.pidFile);
}

/**
 * Stop the daemon pid (read from the pid file before a new daemon's replaced it: restart) and wait
 * until it is gone. onHandoff: what it vouched for in its answer (store/handoff.ts), as text; '' for nothing.
 */
export async function stopDaemonPid(p: Paths, pid: number, stopPods: boolean, timeoutMs: number, onHandoff: (text: string) => void = () => {}): Promise<void> {
  const answer = await requestShutdown(p.socket, stopPods);
  onHandoff(answer?.handoff ? JSON.stringify(answer.handoff) : '');
  if (!answer) {
    // Its pods stay: stopNode's sweep ends them. SIGCONT: a stopped daemon acts on SIGTERM only once it runs.
    kill(pid, 'SIGTERM');
    kill(pid, 'SIGCONT');
  }
  if (!(await waitUntil(async () => !(await alive(pid)), { timeoutMs, everyMs: 20 }))) kill(pid, 'SIGKILL');
}
