// One node command at a time per node directory: `node start`, `restart` and `stop` hold an
// exclusive flock(2) on DIR/node.lock while they run. The kernel drops the lock when the holder's
// descriptor closes, also when the process dies, so there is no stale lock to guess about (a pid
// file would race). Node has no flock(), so util-linux's flock(1) takes the lock on our own open
// descriptor, shared with it; the lock stays ours after it exits.
import { closeSync } from 'node:fs';
import { MinipodError } from '../errors.js';
import { spawnProcess, tools } from '../os/host.js';
import { openAppend } from './secure-dir.js';

/** signal: aborted while the lock is waited for, the wait ends (a GaveUp error); once it is held, fn runs on. */
export async function withNodeLock<T>(file: string, fn: () => Promise<T>, waitSeconds = 120, signal?: AbortSignal): Promise<T> {
  const fd = openAppend(file);
  try {
    // A long-lived child (child.ts) in our process group: a Ctrl-C of the command ends its wait too.
    // What it has to say goes to our stderr as it is: no pipe to read (a first spawn with one cost
    // the command about 5 ms more).
    const flock = spawnProcess([tools().flock, '--exclusive', '--wait', String(waitSeconds), '3'], { stdio: ['ignore', 'ignore', 2], fd3: fd, ourGroup: true });
    const giveUp = () => flock.kill('SIGKILL');
    signal?.addEventListener('abort', giveUp, { once: true });
    const { exitCode, failed, message } = await flock;
    signal?.removeEventListener('abort', giveUp);
    if (exitCode !== 0 && signal?.aborted) throw new GaveUp(file);
    if (exitCode === 1) throw new MinipodError('CONFLICT', `another \`minipod node\` command has held ${file} for ${waitSeconds}s: wait for it to finish, or find it with \`fuser ${file}\``);
    if (failed) throw new MinipodError('COMMAND_FAILED', `could not lock ${file}: ${message ?? 'flock failed'} (flock's own message, if it wrote one, went to stderr)`);
    return await fn();
  } finally {
    closeSync(fd); // our last descriptor on the lock: it is released
  }
}

/** The wait for a node's lock was given up (withNodeLock's signal). */
export class GaveUp extends Error {
  constructor(file: string) {
    super(`gave up waiting for ${file}`);
  }
}
