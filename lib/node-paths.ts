// Where a node keeps its files. Light on purpose: the CLI reads it to find the node behind
// $MINIPOD_SOCKET without loading the node's process code.
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Not under /tmp, which any user can create first; not under /run, which a node covers with its own. */
export const DEFAULT_NODE_DIR = '/var/lib/minipod-node';

export function nodePaths(dir: string) {
  const abs = path.resolve(dir);
  return {
    dir: abs,
    stateDir: path.join(abs, 'state'),
    runDir: path.join(abs, 'run'),
    socket: path.join(abs, 'run', 'minipod.sock'),
    pidFile: path.join(abs, 'daemon.pid'), // "PID STARTTIME" of the daemon
    holderFile: path.join(abs, 'node.pid'), // "PID STARTTIME" of the node holder
    optionsFile: path.join(abs, 'node.json'), // the daemon flags the node was started with
    mntnsFile: path.join(abs, 'node.mntns'),
    outsideFile: path.join(abs, 'outside.pid'), // "PID STARTTIME" of the outside's holder (node/outside.ts)
    logFile: path.join(abs, 'daemon.log'),
    lockFile: path.join(abs, 'node.lock'), // flock(2)ed by node start, restart and stop
  };
}

/** The directory of the node whose socket this is, if it is a node's (DIR/run/minipod.sock). */
export function nodeDirOf(socket: string | undefined): string | undefined {
  if (!socket) return undefined;
  const dir = path.dirname(path.dirname(path.resolve(socket)));
  return nodePaths(dir).socket === path.resolve(socket) && existsSync(nodePaths(dir).optionsFile) ? dir : undefined;
}
