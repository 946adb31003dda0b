// A node namespace: a network + mount namespace of its own, held by a pause process (the node
// holder), with a daemon inside and its state and socket under one directory. Its bridge, veths
// and routes exist only there, so tests, benchmarks and demos never touch the host's network.
// The node outlives its daemon, as a machine outlives a restart of its container runtime: a
// daemon stopped (or crashed) and started again re-adopts the pods still running in it.
// Root works in the node's directory only once it is known to be root's (secure-dir.ts), and one
// node command at a time (lock.ts).
import { closeSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createCgroup } from '../cgroup/cgroup.js';
import { MinipodError } from '../errors.js';
import { tools } from '../os/host.js';
import { resolveTools } from '../os/tools.js';
import { log } from '../log.js';
import { nsenterArgv } from '../process/nsenter.js';
import { startTimeOf } from '../process/identity.js';
import { withNodeLock } from './lock.js';
import { readDaemon, stopDaemonPid, writeIdentity, type Paths } from './daemon-process.js';
import { listenReady, waitReady, type ReadyListener } from '../ready-notify.js';
import { NODE_NAMESPACES, readHolder, startHolder } from './node-holder.js';
import { nodeCgroup } from './node-cgroup.js';
import { launch, MINIPOD_CLI, type Launched } from './launch.js';
import { takeSpare } from './spare-launch.js';
import { ensureUplink } from './outside.js';
import { stopLocked } from './node-stop.js';
import { checkNetworkKept, checkOptions, daemonEnv, daemonFlags, savedOptions, type NodeOptions } from './options.js';
import { notInstalled, type OciRuntimeName } from '../runtime/oci-runtimes.js';
import { nodePaths } from '../node-paths.js';
import { POD_RECORDS_DIR } from '../store/quarantine.js';
import { openAppend, readPrivate, secureDir, writePrivate } from './secure-dir.js';
import { removeFile } from '../util/remove-file.js';

export { nodePaths } from '../node-paths.js';
export { nodeExecArgv, nodeExecTarget, readHolder } from './node-holder.js';
export { stopNode } from './node-stop.js';

/** How long a daemon has to answer, from the moment the one it replaces is gone. */
const START_TIMEOUT_MS = 30_000;

export interface NodeInfo {
  dir: string;
  /** The daemon's pid. */
  pid: number;
  /** The node holder's pid: the process that keeps the node's namespaces alive. */
  holderPid: number;
  socket: string;
  stateDir: string;
}

export type { NodeOptions };

/**
 * The node, if its daemon is running. Should the node holder have died under a live daemon, a
 * new one is started in the daemon's namespaces first, so the node survives the daemon's next exit.
 * Called under the node's lock only (restart): it may write the node's files.
 */
async function readNode(dir: string): Promise<NodeInfo | undefined> {
  const p = nodePaths(dir);
  const pid = await readDaemon(p);
  if (!pid) return undefined;
  let holderPid = await readHolder(dir);
  if (!holderPid) {
    log.warn({ daemon: pid }, 'the node holder is gone: starting a new one in the daemon\'s namespaces');
    holderPid = await startHolder(p, { join: pid });
  }
  return { dir: p.dir, pid, holderPid, socket: p.socket, stateDir: p.stateDir };
}

/** The node's directory, made safe (or refused) before anything is written in it; its real path. */
async function secureNode(dir: string): Promise<Paths> {
  // Side by side, as the reads after the lock below: each is a few trips to the thread pool, and a
  // restart's command waits for every one before its old daemon is asked to go.
  const [, real] = await Promise.all([resolveTools(), secureDir(dir)]);
  const p = nodePaths(real);
  await Promise.all([secureDir(p.stateDir), secureDir(p.runDir)]);
  return p;
}

/**
 * Start a node's daemon; resolves once its API answers. A node whose holder still runs (its
 * daemon stopped or crashed) keeps its namespaces, flags and pods: the new daemon re-adopts them.
 */
export async function startNode(dir: string, opts: NodeOptions = {}): Promise<NodeInfo> {
  const given = checkOptions(opts, 'flags');
  await checkInstalled(given);
  const p = await secureNode(dir);
  return withNodeLock(p.lockFile, () => startLocked(p, given));
}

/**
 * previous: the daemon this one replaces (restart): `id` (PID:STARTTIME) is what the new one waits
 * for (`--after`); `stop` asks it to go (called once all but the new daemon's start is done, beside
 * that start) and resolves when it is gone. The new daemon's 30 s to answer count from then: the old
 * one may take its pods' grace periods to go (a removal under way).
 */
async function startLocked(p: Paths, given: NodeOptions, previous?: { id: string | undefined; stop: () => Promise<void>; handoff: Promise<string> }): Promise<NodeInfo> {
  if (!previous && (await readDaemon(p))) throw new MinipodError('ALREADY_EXISTS', `a node is already running in ${p.dir}: restart its daemon with \`minipod node restart --dir ${p.dir}\` or stop it with \`minipod node stop --dir ${p.dir}\``);
  // A node keeps the flags it was started with (across restarts, a stop, a reboot); those given now
  // replace them, but for the network its pods were made on.
  const [saved, records, holder] = await Promise.all([savedOptions(p.optionsFile), podRecords(p.stateDir), readHolder(p.dir)]);
  checkNetworkKept(saved, given, records, p.dir);
  const opts = { ...saved, ...given };
  const cg = nodeCgroup(p.dir);
  const flags = ['--state-dir', p.stateDir, '--run-dir', p.runDir, '--node-namespace', ...daemonFlags(opts), ...(cg ? ['--cgroup-parent', cg.name] : []), ...(previous?.id ? ['--after', previous.id, '--handoff'] : []), '--next-spare', p.dir];
  const env = daemonEnv();
  const logFd = openAppend(p.logFile); // before anything runs: a planted symlink stops us here
  let holderPid = holder;
  const fresh = !holderPid;
  let stopping: Promise<void> | undefined;
  let daemon: Launched | undefined;
  let notify: ReadyListener | undefined;
  try {
    if (cg) await createCgroup(cg.nodeDir);
    if (!holderPid) holderPid = await startHolder(p, 'new');
    // The daemon says "ready" on the notify socket once it answers (ready-notify.ts). One name (the
    // node's lock lets one launcher in at a time), shorter than the API socket's: a node directory
    // whose minipod.sock fits in a socket path fits this one too. Beside the uplink; both settle
    // before a failure of either is thrown (the catch below closes the socket). The flags are
    // written once the uplink is made: a start refused there keeps the node's old ones.
    const [ready, uplink] = await Promise.allSettled([listenReady(path.join(p.runDir, 'ready.sock'), previous?.handoff), ensureUplink(p, holderPid, opts.cluster)]);
    if (uplink.status === 'rejected') {
      if (ready.status === 'fulfilled') notify = ready.value;
      throw uplink.reason;
    }
    if (ready.status === 'rejected') throw ready.reason;
    notify = ready.value;
    await writePrivate(p.optionsFile, `${JSON.stringify(opts)}\n`);
    const line = ['daemon', ...flags, '--notify-socket', notify.path];
    // All is ready here: the daemon this one replaces is asked to go, its shutdown overlapping the
    // new one's start (which touches nothing until it is gone: --after). A failure from here on
    // leaves the node without a daemon, its pods running: the error says so.
    stopping = previous?.stop().catch(() => {}); // its failure is the caller's to report
    // The node's spare daemon runs the line, its code already loaded (spare-launch.ts); else one is
    // started: nsenter execs it in place (it forks only to enter a PID namespace), this pid is the daemon's.
    daemon = (await takeSpare(p, line, env, logFd, holderPid)) ?? (await launch(cg, nsenterArgv(tools().nsenter, holderPid, NODE_NAMESPACES, [process.execPath, MINIPOD_CLI, ...line]), { stderr: logFd, env }));
    await writeIdentity(p.pidFile, daemon.pid);
  } catch (err) {
    closeSync(logFd);
    await daemon?.kill('SIGKILL'); // started, but not recorded: it would wait for --after alone
    await notify?.close();
    if (fresh) await stopLocked(p).catch(() => {}); // the node made for this start goes with it
    if (!stopping) throw err;
    throw restartCut(err as Error, p.dir);
  }
  const pid = daemon.pid;
  let started: Awaited<ReturnType<typeof waitReady>>;
  try {
    await stopping;
    // The daemon starts the node's next spare once it answers (--next-spare: next-spare.ts): Node's
    // start and the bundle's load took a core's share from its re-adoption on two cores, even at
    // nice 19 (about 20 ms of a restart of 50 pods), and this command need not wait for it.
    started = await waitReady(notify!, daemon.exited, START_TIMEOUT_MS);
  } finally {
    closeSync(logFd);
  }
  daemon.forget();
  if (started === 'ready') return { dir: p.dir, pid, holderPid, socket: p.socket, stateDir: p.stateDir };
  const tail = ((await readPrivate(p.logFile).catch(() => '')) ?? '').trim().split('\n').slice(-3).join(' | ');
  await daemon.kill('SIGKILL');
  await removeFile(p.pidFile);
  // A node made for this daemon goes with it; a failure there must not hide why the daemon failed.
  if (fresh) await stopLocked(p).catch((err: Error) => log.warn({ err: err.message }, 'could not remove the node made for a daemon that did not start'));
  const failed = new MinipodError('COMMAND_FAILED', `node daemon did not start (log ${p.logFile}): ${tail}`);
  throw previous ? restartCut(failed, p.dir) : failed;
}

/** A restart that failed once the old daemon had been asked to go: the node has no daemon now, and its pods run on. */
function restartCut(err: Error, dir: string): MinipodError {
  const code = err instanceof MinipodError ? err.code : 'COMMAND_FAILED';
  return new MinipodError(code, `${err.message} (the node's daemon was stopped for the restart; its pods run on: once that is fixed, start a daemon with \`minipod node start --dir ${dir}\`, which re-adopts them)`, { cause: err });
}

/** How many pod records the node's state holds: NAME.json in the pod store's directory. */
async function podRecords(stateDir: string): Promise<number> {
  return (await readdir(path.join(stateDir, POD_RECORDS_DIR)).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).length;
}

/** A runtime given by --oci-runtime that is not installed: refused before the node is touched. */
async function checkInstalled(given: NodeOptions): Promise<void> {
  const name = given.ociRuntime as OciRuntimeName | undefined; // checked by checkOptions
  if (name && !(await resolveTools())[name]) throw notInstalled(name, '--oci-runtime');
}

/** Restart the node's daemon: the pods keep running and the new daemon re-adopts them. */
export async function restartNode(dir: string, opts: NodeOptions = {}): Promise<NodeInfo> {
  const given = checkOptions(opts, 'flags');
  await checkInstalled(given);
  const p = await secureNode(dir);
  return withNodeLock(p.lockFile, async () => {
    // readNode first: a node holder that died is replaced before the daemon goes, or the node would go with it.
    const running = await readNode(p.dir);
    if (!running && !(await readHolder(p.dir))) throw new MinipodError('NOT_FOUND', `no node is running in ${p.dir}: start one with \`minipod node start\``);
    // Once everything else is ready, the old daemon is asked to go and the new one started (the
    // node's spare, its code loaded, or a new process) side by side: the new one waits until the
    // old one is gone (--after) before it touches the node. A restart refused, or that fails
    // before that, leaves the old one serving.
    const old = running?.pid; // readNode's readDaemon
    const oldStart = old && (await startTimeOf(old));
    let stopped: Promise<void> | undefined;
    // What the old daemon vouches for in its answer, for the new one to ask for (store/handoff.ts).
    let handedOff: (text: string) => void = () => {};
    const handoff = new Promise<string>((resolve) => (handedOff = resolve));
    const stopOld = () => {
      stopped = old ? stopDaemonPid(p, old, false, 60_000, handedOff) : Promise.resolve();
      stopped.catch(() => {}); // awaited below
      void stopped.then(() => handedOff(''), () => handedOff('')); // no answer: nothing vouched for (once settled, a promise stays)
      return stopped;
    };
    try {
      return await startLocked(p, given, { id: old && oldStart ? `${old}:${oldStart}` : undefined, stop: stopOld, handoff });
    } finally {
      await stopped; // the old daemon is gone before the node's lock is let go
    }
  });
}
