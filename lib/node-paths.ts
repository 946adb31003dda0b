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
    spareFile: path.join(abs, 'spare.pid'), // "PID STARTTIME" of the spare daemon (node/spare-daemon.ts)
    spareSocket: path.join(abs, 'run', 'spare.sock'), // where it waits to be told its daemon line
  };
}

/** Where `minipod cluster start` puts a cluster by default ($MINIPOD_CLUSTER_DIR overrides it): DIR/node-1 … DIR/node-N. */
export const DEFAULT_CLUSTER_DIR = '/var/lib/minipod-cluster';
export const NODE_PREFIX = 'node-';
export const memberDir = (clusterDir: string, index: number) => path.join(path.resolve(clusterDir), `${NODE_PREFIX}${index}`);

/** The cluster a command means: --cluster-dir, else $MINIPOD_CLUSTER_DIR, else the default. */
export const clusterDirOf = (flag?: string) => flag || process.env.MINIPOD_CLUSTER_DIR || DEFAULT_CLUSTER_DIR;

/** The directory of cluster node NAME (node-N), or why there is none. */
export function clusterNodeDir(name: string, flag?: string): { dir: string } | { problem: string } {
  const clusterDir = clusterDirOf(flag);
  const index = new RegExp(`^${NODE_PREFIX}([1-9]\\d*)$`).exec(name)?.[1];
  if (!index) return { problem: `--node ${JSON.stringify(name)}: name a cluster node as node-1, node-2, …` };
  const dir = memberDir(clusterDir, Number(index));
  if (!existsSync(nodePaths(dir).optionsFile)) return { problem: `--node ${name}: no such node in the cluster in ${path.resolve(clusterDir)} (start one with \`minipod cluster start\`, or give --cluster-dir)` };
  return { dir };
}

/** The directory of the node whose socket this is, if it is a node's (DIR/run/minipod.sock). */
export function nodeDirOf(socket: string | undefined): string | undefined {
  if (!socket) return undefined;
  const dir = path.dirname(path.dirname(path.resolve(socket)));
  return nodePaths(dir).socket === path.resolve(socket) && existsSync(nodePaths(dir).optionsFile) ? dir : undefined;
}
