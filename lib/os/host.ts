// The one door to the kernel. Every spawn, signal, /proc read and namespace held open in lib/
// goes through these functions, which forward to the current Host: the real one (linux.ts), or a
// fake (fake.ts) that a unit test installs with useHost. The programs they run are found once
// (tools.ts, at daemon or node start) and read here with tools().
import { MinipodError } from '../errors.js';
import { linuxHost } from './linux.js';
import type { HeldNamespace, Host, NsKind, Proc, RunOptions, SpawnOptions, Tools } from './types.js';

export type { HeldNamespace, Host, NsKind, Proc, ProcResult, RunOptions, SpawnOptions, Tools } from './types.js';

let current: Host = linuxHost;
let found: Tools | undefined;
let spawns = 0;

/** Install another host (a fake, in unit tests) and its tools; returns what puts the old ones back. */
export function useHost(host: Host, hostTools?: Tools): () => void {
  const [was, wasTools] = [current, found];
  current = host;
  found = hostTools ?? found;
  return () => {
    current = was;
    found = wasTools;
  };
}

/** Set once, by resolveTools (tools.ts). */
export function setTools(t: Tools): void {
  found = t;
}

/** The programs found at start; asking before they are found is a bug, not a user's error. */
export function tools(): Tools {
  if (!found) throw new MinipodError('INTERNAL', 'tools asked for before resolveTools() found them');
  return found;
}

/** Number of processes spawned through the door; the benchmark reads it through the API. */
export function spawnCount(): number {
  return spawns;
}

export function run(argv: readonly string[], options?: RunOptions): Promise<string> {
  spawns++;
  return current.run(argv, options);
}

export function runAttached(argv: readonly string[]): Promise<number> {
  spawns++;
  return current.runAttached(argv);
}

/**
 * Start a long-running process (a pause holder, an app). It gets its own process group
 * (so a Ctrl-C aimed at the daemon never reaches a pod) and is not killed when the daemon exits.
 */
export function spawnProcess(argv: readonly string[], options: SpawnOptions): Proc {
  spawns++;
  return current.spawn(argv, options);
}

/** kill(2); false if no such process. A negative pid signals the process group. */
export const kill = (pid: number, signal: NodeJS.Signals | 0): boolean => current.kill(pid, signal);
export const readProc = (pid: number | 'self', file: string): Promise<string | undefined> => current.readProc(pid, file);
export const readProcSync = (pid: number | 'self', file: string): string | undefined => current.readProcSync(pid, file);
export const procLink = (pid: number | 'self', link: string): Promise<string | undefined> => current.procLink(pid, link);
export const procLinkSync = (pid: number | 'self', link: string): string | undefined => current.procLinkSync(pid, link);
export const listPids = (): Promise<number[]> => current.pids();
export const openNamespace = (pid: number, kind: NsKind): HeldNamespace | undefined => current.openNamespace(pid, kind);
export const executable = (file: string): Promise<boolean> => current.executable(file);
export const writeSysctl = (key: string, value: string): Promise<void> => current.writeSysctl(key, value);

/** mount --bind SOURCE TARGET: a namespace file onto an empty file, or a directory onto itself. */
export const bindMount = (source: string, target: string): Promise<string> => run([tools().mount, '--bind', source, target]);
/** mount --make-shared: unmounts under TARGET reach every mount namespace copied from ours since. */
export const makeShared = (target: string): Promise<string> => run([tools().mount, '--make-shared', target]);
/** umount --lazy: the mount on top at TARGET is detached now, freed once nothing uses it. */
export const unmount = (target: string): Promise<string> => run([tools().umount, '--lazy', target]);
