// A node namespace: a network + mount namespace of its own, held by a pause process (the node
// holder), with a daemon inside and its state and socket under one directory. Its bridge, veths
// and routes exist only there, so tests, benchmarks and demos never touch the host's network.
// The node outlives its daemon, as a machine outlives a restart of its container runtime: a
// daemon stopped (or crashed) and started again re-adopts the pods still running in it.
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { MinipodError } from '../errors.js';
import { spawnProcess } from '../exec/run.js';
import { findExecutable, PAUSE_PATH } from '../exec/tools.js';
import { log } from '../log.js';
import { isSameProcess, startTimeOf } from '../process/identity.js';
import { killProcessesIn } from '../process/sweep.js';
import { pinNamespace } from '../sandbox/netns.js';
import { nodePaths } from './paths.js';

export { nodePaths } from './paths.js';

const CLI = fileURLToPath(new URL('../../../bin/minipod.js', import.meta.url));

export interface NodeInfo {
  dir: string;
  /** The daemon's pid. */
  pid: number;
  /** The node holder's pid: the process that keeps the node's namespaces alive. */
  holderPid: number;
  socket: string;
  stateDir: string;
}

export interface NodeOptions {
  bridge?: string;
  subnet?: string;
  stopPodsOnExit?: boolean;
  containerLogMaxSize?: string;
  containerLogMaxFiles?: string;
}


/** Alive and not a zombie: an exited daemon may wait a while for init to reap it. */
const alive = async (pid: number) => (await startTimeOf(pid)) !== undefined;

/** The pid of the daemon answering on socket, if one does. */
async function healthy(socket: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: '/v1/health' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? (JSON.parse(body) as { pid?: number }).pid : undefined));
    });
    req.on('error', () => resolve(undefined));
  });
}

/** Our daemon, not whatever process now has the pid a stale pid file names. */
async function isNodeDaemon(pid: number, stateDir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').includes('daemon') && cmdline.includes(stateDir);
}

/** The node holder's pid, if it is still the very process recorded. */
export async function readHolder(dir: string): Promise<number | undefined> {
  const [pid, startTime] = (await readFile(nodePaths(dir).holderFile, 'utf8').catch(() => '')).trim().split(' ');
  return pid && (await isSameProcess(Number(pid), startTime)) ? Number(pid) : undefined;
}

/** The node's daemon's pid, if it is running. */
async function readDaemon(dir: string): Promise<number | undefined> {
  const p = nodePaths(dir);
  const pid = Number(await readFile(p.pidFile, 'utf8').catch(() => ''));
  return pid && (await isNodeDaemon(pid, p.stateDir)) ? pid : undefined;
}

/**
 * The node, if its daemon is running. Should the node holder have died under a live daemon, a
 * new one is started in the daemon's namespaces first, so the node survives the daemon's next exit.
 */
export async function readNode(dir: string): Promise<NodeInfo | undefined> {
  const p = nodePaths(dir);
  const pid = await readDaemon(dir);
  if (!pid) return undefined;
  let holderPid = await readHolder(dir);
  if (!holderPid) {
    log.warn({ daemon: pid }, 'the node holder is gone: starting a new one in the daemon\'s namespaces');
    holderPid = await startHolder([await tool('nsenter'), `--target=${pid}`, '--net', '--mount', '--', PAUSE_PATH], p);
  }
  return { dir: p.dir, pid, holderPid, socket: p.socket, stateDir: p.stateDir };
}

async function tool(name: 'unshare' | 'nsenter'): Promise<string> {
  const file = await findExecutable(name, `${process.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!file) throw new MinipodError('NOT_FOUND', `${name} not found in PATH: install util-linux (apt-get install util-linux)`);
  return file;
}

/**
 * Start a node's daemon; resolves once its API answers. A node whose holder still runs (its
 * daemon stopped or crashed) keeps its namespaces, flags and pods: the new daemon re-adopts them.
 */
export async function startNode(dir: string, opts: NodeOptions = {}): Promise<NodeInfo> {
  const p = nodePaths(dir);
  if (await readDaemon(dir)) throw new MinipodError('ALREADY_EXISTS', `a node is already running in ${p.dir}: restart its daemon with \`minipod node restart --dir ${p.dir}\` or stop it with \`minipod node stop --dir ${p.dir}\``);
  const [unshare, nsenter] = [await tool('unshare'), await tool('nsenter')];
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  let holderPid = await readHolder(dir);
  const fresh = !holderPid;
  // A node keeps the flags it was started with (also across a reboot); only those given now replace them.
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  opts = { ...JSON.parse(await readFile(p.optionsFile, 'utf8').catch(() => '{}')), ...given };
  if (!holderPid) holderPid = await startHolder([unshare, '--net', '--mount', '--propagation', 'private', '--', PAUSE_PATH], p);
  await writeFile(p.optionsFile, `${JSON.stringify(opts)}\n`);

  const flags = ['--state-dir', p.stateDir, '--run-dir', p.runDir, '--node-namespace'];
  if (opts.bridge) flags.push('--bridge', opts.bridge);
  if (opts.subnet) flags.push('--subnet', opts.subnet);
  if (opts.stopPodsOnExit) flags.push('--stop-pods-on-exit');
  if (opts.containerLogMaxSize) flags.push('--container-log-max-size', opts.containerLogMaxSize);
  if (opts.containerLogMaxFiles) flags.push('--container-log-max-files', opts.containerLogMaxFiles);
  const logFd = openSync(p.logFile, 'a', 0o600);
  // nsenter execs the daemon in place (it forks only to enter a PID namespace): this pid is the daemon's.
  const proc = spawnProcess([nsenter, `--target=${holderPid}`, '--net', '--mount', '--', process.execPath, CLI, 'daemon', ...flags], {
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  proc.catch(() => {});
  proc.unref();
  const pid = proc.pid!;
  await writeFile(p.pidFile, `${pid}\n`);
  for (let waited = 0; waited < 30_000; waited += 20) {
    if (!(await alive(pid)) || proc.exitCode !== null) break;
    // Only this daemon counts: another one answering on the socket means this one will fail.
    if ((await healthy(p.socket)) === pid) return { dir: p.dir, pid, holderPid, socket: p.socket, stateDir: p.stateDir };
    await sleep(20);
  }
  const tail = (await readFile(p.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ');
  if (await alive(pid)) process.kill(pid, 'SIGKILL');
  await rm(p.pidFile, { force: true });
  // A node made for this daemon goes with it; a failure there must not hide why the daemon failed.
  if (fresh) await stopNode(dir).catch((err: Error) => log.warn({ err: err.message }, 'could not remove the node made for a daemon that did not start'));
  throw new MinipodError('COMMAND_FAILED', `node daemon did not start (log ${p.logFile}): ${tail}`);
}

/**
 * The node holder: a pause process that keeps the node's network and mount namespaces — new ones
 * (unshare), or a live daemon's (nsenter). Registered once it runs; killed if it never does.
 */
async function startHolder(argv: string[], p: ReturnType<typeof nodePaths>): Promise<number> {
  const proc = spawnProcess(argv, { stdio: ['ignore', 'ignore', 'ignore'] });
  proc.catch(() => {});
  proc.unref();
  const pid = proc.pid!;
  try {
    // unshare or nsenter enters the namespaces, then execs pause in place: the node exists once pause runs.
    for (let waited = 0; (await readlink(`/proc/${pid}/exe`).catch(() => '')) !== PAUSE_PATH; waited += 5) {
      if (waited > 5000 || proc.exitCode !== null) throw new MinipodError('COMMAND_FAILED', `could not start the node holder (${argv.join(' ')} exited ${proc.exitCode ?? 'late'})`);
      await sleep(5);
    }
    await writeFile(p.holderFile, `${pid} ${await startTimeOf(pid)}\n`);
    await writeFile(p.mntnsFile, `${await readlink(`/proc/${pid}/ns/mnt`)}\n`);
    return pid;
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
}

/** Ask the daemon to shut down over its API (stopping every pod or not); false if it cannot be asked. */
function requestShutdown(socket: string, stopPods: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: socket, path: '/v1/shutdown', method: 'POST' }, (res) => {
      res.resume();
      resolve(res.statusCode === 202);
    });
    req.on('error', () => resolve(false));
    req.end(JSON.stringify({ stopPods }));
  });
}

/** Stop the node's daemon and wait until it is gone; SIGKILL after timeoutMs. */
async function stopDaemon(dir: string, stopPods: boolean, timeoutMs: number): Promise<void> {
  const p = nodePaths(dir);
  const pid = await readDaemon(dir);
  if (!pid) return;
  if (!(await requestShutdown(p.socket, stopPods))) process.kill(pid, 'SIGTERM'); // its pods stay: stopNode's sweep ends them
  for (let waited = 0; (await alive(pid)) && waited < timeoutMs; waited += 20) await sleep(20);
  if (await alive(pid)) process.kill(pid, 'SIGKILL');
  await rm(p.pidFile, { force: true });
}

/** Restart the node's daemon: the pods keep running and the new daemon re-adopts them. */
export async function restartNode(dir: string, opts: NodeOptions = {}): Promise<NodeInfo> {
  // readNode first: a node holder that died is replaced before the daemon goes, or the node would go with it.
  if (!(await readNode(dir)) && !(await readHolder(dir))) throw new MinipodError('NOT_FOUND', `no node is running in ${dir}: start one with \`minipod node start\``);
  await stopDaemon(dir, false, 60_000);
  return startNode(dir, opts);
}

/**
 * Stop the node: its daemon stops every pod, then anything still in the node's mount namespace
 * (left by a daemon that crashed) and the node holder are killed, and with them the node's
 * bridge and veths. False if there was no node.
 */
export async function stopNode(dir: string, timeoutMs = 60_000): Promise<boolean> {
  const p = nodePaths(dir);
  const holderPid = await readHolder(dir);
  const mntns = (await readFile(p.mntnsFile, 'utf8').catch(() => '')).trim();
  if (!holderPid && !mntns && !(await readDaemon(dir))) return false;
  // The namespace is pinned by an open descriptor while it is swept: once freed, its inode number
  // can be reused by another node's (as it was, in parallel tests), whose processes we would kill.
  const pinned = pinNamespace('mnt', mntns, [holderPid, await readDaemon(dir)]);
  try {
    await stopDaemon(dir, true, timeoutMs);
    if (pinned) {
      const leftovers = await killProcessesIn('mnt', [mntns], new Set(holderPid ? [holderPid] : []));
      if (leftovers) log.warn({ leftovers }, 'killed processes a dead daemon left in the node');
      // Then the holder. SIGKILL lands a moment later: done once the namespace is empty.
      for (let waited = 0; (await killProcessesIn('mnt', [mntns])) > 0 && waited < 5000; waited += 10) await sleep(10);
    } else if (holderPid) {
      process.kill(holderPid, 'SIGKILL');
    }
  } finally {
    pinned?.close();
  }
  for (const file of [p.pidFile, p.holderFile, p.mntnsFile, p.optionsFile]) await rm(file, { force: true });
  return true;
}

/** argv that runs a command inside the node's network and mount namespaces. */
export function nodeExecArgv(node: Pick<NodeInfo, 'holderPid'>, argv: string[]): string[] {
  return ['nsenter', `--target=${node.holderPid}`, '--net', '--mount', '--', ...argv];
}
