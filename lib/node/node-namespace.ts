// A node namespace: a daemon alone in a fresh network + mount namespace, its state and socket
// under one directory. Its bridge, veths and routes exist only there and vanish with it, so
// tests, benchmarks and demos never touch the host's network.
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { MinipodError } from '../errors.js';
import { spawnProcess } from '../exec/run.js';
import { findExecutable } from '../exec/tools.js';
import { log } from '../log.js';
import { killProcessesIn } from '../process/sweep.js';

const CLI = fileURLToPath(new URL('../../../bin/minipod.js', import.meta.url));

export interface NodeInfo {
  dir: string;
  pid: number;
  socket: string;
  stateDir: string;
}

export interface NodeOptions {
  bridge?: string;
  subnet?: string;
}

export function nodePaths(dir: string) {
  const abs = path.resolve(dir);
  return {
    dir: abs,
    stateDir: path.join(abs, 'state'),
    runDir: path.join(abs, 'run'),
    socket: path.join(abs, 'run', 'minipod.sock'),
    pidFile: path.join(abs, 'daemon.pid'),
    mntnsFile: path.join(abs, 'node.mntns'),
    logFile: path.join(abs, 'daemon.log'),
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function healthy(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: '/v1/health' }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

/** Our daemon, not whatever process now has the pid a stale pid file names. */
async function isNodeDaemon(pid: number, stateDir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').includes('daemon') && cmdline.includes(stateDir);
}

export async function readNode(dir: string): Promise<NodeInfo | undefined> {
  const p = nodePaths(dir);
  const pid = Number(await readFile(p.pidFile, 'utf8').catch(() => ''));
  if (!pid || !(await isNodeDaemon(pid, p.stateDir))) return undefined;
  return { dir: p.dir, pid, socket: p.socket, stateDir: p.stateDir };
}

/** Start a daemon in a new node namespace; resolves once its API answers. */
export async function startNode(dir: string, opts: NodeOptions = {}): Promise<NodeInfo> {
  const p = nodePaths(dir);
  if (await readNode(dir)) throw new MinipodError('ALREADY_EXISTS', `a node is already running in ${p.dir}: stop it with \`minipod node stop --dir ${p.dir}\``);
  const unshare = await findExecutable('unshare', `${process.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!unshare) throw new MinipodError('NOT_FOUND', 'unshare not found in PATH: install util-linux (apt-get install util-linux)');
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  const flags = ['--state-dir', p.stateDir, '--run-dir', p.runDir, '--node-namespace'];
  if (opts.bridge) flags.push('--bridge', opts.bridge);
  if (opts.subnet) flags.push('--subnet', opts.subnet);
  const logFd = openSync(p.logFile, 'a', 0o600);
  // unshare execs the daemon in place, so this pid is the daemon's.
  const proc = spawnProcess([unshare, '--net', '--mount', '--propagation', 'private', '--', process.execPath, CLI, 'daemon', ...flags], {
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  proc.catch(() => {});
  proc.unref();
  const pid = proc.pid!;
  await writeFile(p.pidFile, `${pid}\n`);
  for (let waited = 0; waited < 15_000; waited += 20) {
    if (!alive(pid) || proc.exitCode !== null) break;
    if (await healthy(p.socket)) {
      await writeFile(p.mntnsFile, `${await readlink(`/proc/${pid}/ns/mnt`)}\n`);
      return { dir: p.dir, pid, socket: p.socket, stateDir: p.stateDir };
    }
    await sleep(20);
  }
  const tail = (await readFile(p.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ');
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  await rm(p.pidFile, { force: true });
  throw new MinipodError('COMMAND_FAILED', `node daemon did not start (log ${p.logFile}): ${tail}`);
}

/** SIGTERM the node's daemon (it stops every pod) and wait until it is gone. */
/**
 * SIGTERM the node's daemon (it stops every pod), wait until it is gone, then kill anything still
 * in the node's mount namespace (left by a daemon that crashed). False if there was no node.
 */
export async function stopNode(dir: string, timeoutMs = 60_000): Promise<boolean> {
  const p = nodePaths(dir);
  const node = await readNode(dir);
  const mntns = (await readFile(p.mntnsFile, 'utf8').catch(() => '')).trim();
  if (!node && !mntns) return false;
  if (node) {
    process.kill(node.pid, 'SIGTERM');
    for (let waited = 0; alive(node.pid) && waited < timeoutMs; waited += 20) await sleep(20);
    if (alive(node.pid)) process.kill(node.pid, 'SIGKILL');
  }
  if (mntns) {
    // Every pod process shares the node's mount namespace: what a dead daemon left goes with it.
    const leftovers = await killProcessesIn('mnt', [mntns]);
    if (leftovers) log.warn({ leftovers }, 'killed processes a dead daemon left in the node');
  }
  await rm(p.pidFile, { force: true });
  await rm(p.mntnsFile, { force: true });
  return true;
}

/** argv that runs a command inside the node's network and mount namespaces. */
export function nodeExecArgv(node: NodeInfo, argv: string[]): string[] {
  return ['nsenter', `--target=${node.pid}`, '--net', '--mount', '--', ...argv];
}
