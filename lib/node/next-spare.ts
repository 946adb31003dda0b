// The node's next spare daemon (spare-daemon.ts), started by the node's daemon itself once it
// answers (daemon.ts, `--next-spare DIR`): the command that started the daemon has its answer by
// then and exits, where it used to wait for the launch (about 8 ms of every restart). The launch
// holds the node's lock (lock.ts), as every change of the node's files does: it waits for the
// command to exit, and a restart or stop that comes meanwhile waits for the launch to be recorded.
import { closeSync } from 'node:fs';
import { log } from '../log.js';
import { nodePaths } from '../node-paths.js';
import { kill, tools } from '../os/host.js';
import { readIdentity, writeIdentity, type Paths } from './daemon-process.js';
import { launch, MINIPOD_CLI, type Launched } from './launch.js';
import { GaveUp, withNodeLock } from './lock.js';
import { nodeCgroup, type NodeCgroup } from './node-cgroup.js';
import { daemonEnv } from './options.js';
import { openAppend } from './secure-dir.js';
import { SPARE_FLAG } from './spare-daemon.js';
import { removeFile } from '../util/remove-file.js';
import { wanted } from './spare-launch.js';

export class NextSpare {
  private launching: Promise<void> | undefined;
  private closed = false;
  private readonly giveUp = new AbortController();

  constructor(private readonly dir: string) {}

  /** Start it (once), unless MINIPOD_SPARE_DAEMON=0 or a shutdown has begun. */
  start(): void {
    if (this.closed || this.launching || !wanted(process.env)) return;
    const p = nodePaths(this.dir);
    this.launching = withNodeLock(p.lockFile, () => (this.closed ? Promise.resolve() : launchSpare(p, nodeCgroup(this.dir))), undefined, this.giveUp.signal).catch((err: Error) => {
      if (err instanceof GaveUp) return; // the command holding the lock asked this daemon to go: its daemon starts one
      log.warn({ err: err.message }, 'could not start a spare daemon: the next restart starts its daemon anew');
    });
  }

  /**
   * No launch from now on: one still waiting for the lock gives up (the command that holds it is
   * what asked this daemon to go, a restart or a stop); one under way is waited for, so that its
   * spare.pid is written (the restart takes that spare, the stop ends it).
   */
  close(): Promise<void> {
    this.closed = true;
    this.giveUp.abort();
    return this.launching ?? Promise.resolve();
  }
}

/**
 * Under the node's lock: the next spare at nice 19, from inside the node (this daemon's namespaces
 * are the node's) in its cgroup, its log the node's (DIR/daemon.log opened afresh, as a launcher
 * opens it: one rotated meanwhile is not written to), recorded in p.spareFile. A failure is logged,
 * not thrown: a spare only saves time; one started but not recorded is killed.
 */
async function launchSpare(p: Paths, cg: NodeCgroup | undefined): Promise<void> {
  // A spare still recorded is one no launcher took (each takes the recorded one, under this lock):
  // nobody's, and it would take the socket's place. Never this process, once a spare itself.
  const left = await readIdentity(p.spareFile).catch(() => undefined);
  if (left && left !== process.pid) kill(left, 'SIGKILL');
  const logFd = openAppend(p.logFile);
  let spare: Launched | undefined;
  try {
    await removeFile(p.spareSocket);
    spare = await launch(cg, [tools().nice, '-n', '19', process.execPath, MINIPOD_CLI, 'daemon', SPARE_FLAG, p.spareSocket, '--state-dir', p.stateDir], { stderr: logFd, env: daemonEnv() });
    spare.forget();
    await writeIdentity(p.spareFile, spare.pid);
  } catch (err) {
    await spare?.kill('SIGKILL');
    log.warn({ err: (err as Error).message }, 'could not start a spare daemon: the next restart starts its daemon anew');
  } finally {
    closeSync(logFd);
  }
}
