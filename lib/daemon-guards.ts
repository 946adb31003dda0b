// What a daemon checks before it touches anything: the daemon it replaces is gone (`node
// restart`) and what it vouched for, no live daemon listens on its socket, and whether the node's
// private /run is mounted.
import net from 'node:net';
import path from 'node:path';
import { MinipodError } from './errors.js';
import { secureDir } from './node/secure-dir.js';
import { askHandoff } from './ready-notify.js';
import { readProc } from './os/host.js';
import { startTimeOfSync } from './process/identity.js';
import { waitUntil } from './util/wait.js';
import { removeFile } from './util/remove-file.js';

export const NODE_RUN_SOURCE = 'minipod-node-run';

/** /proc/self/mountinfo fields: … mount-point (5th) … " - " fstype source options. */
export async function nodeRunMounted(): Promise<boolean> {
  const lines = ((await readProc('self', 'mountinfo')) ?? '').split('\n');
  return lines.some((l) => l.split(' ')[4] === '/run' && l.split(' - ')[1]?.split(' ')[1] === NODE_RUN_SOURCE);
}

/** How long `node restart`'s old daemon may take to go (it is SIGKILLed after 60 s). */
const PREDECESSOR_TIMEOUT_MS = 70_000;

/** Wait until the process PID:STARTTIME is gone (a reused pid is not it). */
export async function predecessorGone(after: string): Promise<void> {
  const [pid, startTime] = after.split(':');
  if (!/^\d+$/.test(pid ?? '') || !startTime) throw new MinipodError('INVALID_ARGUMENT', `--after ${JSON.stringify(after)}: give PID:STARTTIME (set by \`minipod node restart\`)`);
  // Read without the thread pool, which the start's own reads (its tools) fill meanwhile: one small
  // /proc read every 2 ms.
  const gone = await waitUntil(() => startTimeOfSync(Number(pid)) !== startTime, { timeoutMs: PREDECESSOR_TIMEOUT_MS, everyMs: 2 });
  if (!gone) throw new MinipodError('COMMAND_FAILED', `the daemon this one replaces (pid ${pid}) is still running after ${PREDECESSOR_TIMEOUT_MS / 1000}s: stop it first`);
}

/**
 * What the daemon a restart replaces vouched for (store/handoff.ts), asked of the launcher's socket
 * if it is in runDir, which only root can bind (a running node's run dir: there already). Asked
 * while that daemon goes: the answer comes once it has answered its shutdown, or once it is gone.
 * Undefined on any failure: the records are then checked whole.
 */
export async function handoffIn(runDir: string, notifySocket: string): Promise<string | undefined> {
  const dir = await secureDir(runDir).catch(() => undefined);
  return dir !== undefined && path.dirname(path.resolve(notifySocket)) === dir ? askHandoff(notifySocket, PREDECESSOR_TIMEOUT_MS) : undefined;
}

/** Refuse to start beside a live daemon; remove the socket a dead one left. */
export async function claimSocket(socket: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const c = net.connect(socket, () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
  if (alive) throw new MinipodError('ALREADY_EXISTS', `a minipod daemon is already listening on ${socket}: stop it first or use another --run-dir`);
  await removeFile(socket);
}
