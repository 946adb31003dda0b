// The helpers a node's spare daemon starts while it waits (node/spare-daemon.ts), for the daemon it
// becomes to take over instead of spawning them before it answers: `ip -batch` (os/ip-batch.ts),
// pidwatch (process/watcher.ts) and `nft -f -` (network/egress.ts, through runCommand). Each spawn
// blocks the daemon's one thread while Node forks a process of 100 MB (3-5 ms here), and `ip` and
// `nft` then load their libraries while the daemon waits for their answer. Each waits on its stdin,
// in the spare's namespaces and cgroup (the daemon's), with its environment (the spare declines a
// line whose environment differs); it is taken only under the very argv the daemon would run, so a
// tool found elsewhere since is spawned anew. What the daemon did not take goes once it answers
// (dropStarted), and all of them go with the spare: a closed stdin ends each (`nft -f -` applies an
// empty file: nothing).
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { spawnChild } from './child.js';
import type { Proc, SpawnOptions, Tools } from './types.js';

/** Long-lived ones (a Proc, as spawnProcess gives it) and one-shot commands fed on stdin (runCommand's ChildProcess). */
const longLived = new Map<string, Proc>();
const commands = new Map<string, ChildProcess>();

const key = (argv: readonly string[]) => argv.join('\0');
const running = (p: { exitCode: number | null; signalCode: NodeJS.Signals | null; pid?: number | undefined }) => p.pid !== undefined && p.exitCode === null && p.signalCode === null;

/** The argv (and stdio) each is started with: what its user spawns otherwise. */
export const IP_BATCH_ARGV = (ip: string) => [ip, '-force', '-batch', '-'];
export const IP_BATCH_STDIO: SpawnOptions['stdio'] = ['pipe', 'ignore', 'pipe'];
export const PIDWATCH_STDIO: SpawnOptions['stdio'] = ['pipe', 'pipe', 'pipe'];
export const NFT_FILE_ARGV = (nft: string) => [nft, '-f', '-'];

/** Set once the spare has its line (reniceStarted): its tools, found late, start nothing in the daemon. */
let taken = false;

/** Start them (a spare, with the tools it found); a failure to start one only leaves it to be spawned later. */
export function prestartHelpers(tools: Tools): void {
  if (taken) return;
  const start = (argv: string[], stdio: SpawnOptions['stdio']) => {
    try {
      const p = spawnChild(argv[0]!, argv.slice(1), { stdio });
      p.catch(() => {}); // an exit before it is taken: not taken
      if (p.pid === undefined) return;
      longLived.get(key(argv))?.stdin?.end(); // started twice: the first one goes
      longLived.set(key(argv), p);
    } catch {
      // refused at once (ENOMEM, EPERM): its user spawns it when asked
    }
  };
  start(IP_BATCH_ARGV(tools.ip), IP_BATCH_STDIO);
  start([tools.pidwatch], PIDWATCH_STDIO);
  if (tools.nft) {
    const argv = NFT_FILE_ARGV(tools.nft);
    try {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      child.on('error', () => {});
      if (child.pid === undefined) return;
      commands.get(key(argv))?.stdin?.end();
      commands.set(key(argv), child);
    } catch {
      // not started: runCommand spawns it when asked
    }
  }
}

/** The one started for argv in `from`, if it still runs: the caller's from now on (one that ended is let go). */
function take<T extends Proc | ChildProcess>(from: Map<string, T>, argv: readonly string[]): T | undefined {
  const p = from.get(key(argv));
  from.delete(key(argv));
  if (p && running(p)) return p;
  p?.stdin?.end();
  return undefined;
}

/** The long-lived helper started for argv (ip-batch.ts, watcher.ts). */
export const takeStarted = (argv: readonly string[]): Proc | undefined => take(longLived, argv);

/** The command started for argv, for runCommand to feed its input (command.ts). */
export const takeStartedCommand = (argv: readonly string[]): ChildProcess | undefined => take(commands, argv);

/** At the launcher's priority (the spare started them at nice 19): each is one thread. The spare is a daemon from now on: none is started after. */
export function reniceStarted(nice: number): void {
  taken = true;
  for (const p of [...longLived.values(), ...commands.values()]) {
    try {
      os.setPriority(p.pid!, nice);
    } catch {
      // gone meanwhile: not taken either
    }
  }
}

/** End those not taken (their stdin closed): the daemon has answered without them. */
export function dropStarted(): void {
  for (const p of [...longLived.values(), ...commands.values()]) p.stdin?.end();
  longLived.clear();
  commands.clear();
}
