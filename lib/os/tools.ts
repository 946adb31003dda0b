// The programs minipod runs, found once (at daemon or node start) so a missing one is one clear
// error there, with the package that brings it, not a failure in the middle of building a pod.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MinipodError } from '../errors.js';
import { executable, setTools } from './host.js';
import type { Tools } from './types.js';

/** minipod's own programs, built from rootfs/ by `npm run build`. */
export const PAUSE_PATH = fileURLToPath(new URL('../../../rootfs/pause/pause', import.meta.url));
export const PIDWATCH_PATH = fileURLToPath(new URL('../../../rootfs/pidwatch/pidwatch', import.meta.url));
export const CGEXEC_PATH = fileURLToPath(new URL('../../../rootfs/cgexec/cgexec', import.meta.url));
export const SHIM_PATH = fileURLToPath(new URL('../../../rootfs/shim/shim', import.meta.url));
export const PTYRELAY_PATH = fileURLToPath(new URL('../../../rootfs/ptyrelay/ptyrelay', import.meta.url));
export const PORTFWD_PATH = fileURLToPath(new URL('../../../rootfs/portfwd/portfwd', import.meta.url));

type System = 'ip' | 'nsenter' | 'unshare' | 'flock' | 'umount' | 'mount' | 'mknod' | 'nice' | 'setfattr';

const packages: Record<System, string> = {
  ip: 'iproute2',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  flock: 'util-linux',
  umount: 'mount',
  mount: 'mount',
  mknod: 'coreutils',
  nice: 'coreutils',
  setfattr: 'attr',
};

/** Where system programs are looked for: PATH, then the usual places (sudo may trim PATH). */
const SEARCH = () => `${systemPath()}:/usr/sbin:/sbin:/usr/bin:/bin`;

/**
 * PATH without npm's bin directories: under `npm test` or `npx` they come first, and a package may
 * install a command named like a system one (@vercel/nft's `nft`, which printed nothing and made
 * no rule), which must never stand in for it.
 */
export function systemPath(pathEnv = process.env.PATH ?? ''): string {
  return pathEnv.split(':').filter((d) => d && !d.split('/').includes('node_modules')).join(':');
}

/** The files findExecutable tries, in order: what a resolved command can be (store/record-check.ts). */
export function executableCandidates(command: string, pathEnv: string, cwd: string): string[] {
  return command.includes('/') ? [path.resolve(cwd, command)] : pathEnv.split(':').filter(Boolean).map((dir) => path.resolve(cwd, dir, command));
}

/**
 * Resolve a command the way execvp would: a name with a "/" is a path (relative to cwd),
 * anything else is looked up in pathEnv.
 */
export async function findExecutable(command: string, pathEnv: string, cwd = process.cwd()): Promise<string | undefined> {
  for (const file of executableCandidates(command, pathEnv, cwd)) {
    if (await executable(file)) return file;
  }
  return undefined;
}

/** An optional program (nft, dot), looked for where the required ones are; undefined if absent. */
export function findTool(name: string): Promise<string | undefined> {
  return findExecutable(name, SEARCH());
}

let resolving: Promise<Tools> | undefined;

/** Find them again at the next resolveTools (a spare daemon that has become a daemon: spare-daemon.ts). */
export function forgetTools(): void {
  resolving = undefined;
}

/** Find every program once (later calls share the first answer); throws naming what to install or build. */
export function resolveTools(): Promise<Tools> {
  resolving ??= find().catch((err: unknown) => {
    resolving = undefined; // installed meanwhile: the next call looks again
    throw err;
  });
  return resolving;
}

async function find(): Promise<Tools> {
  // Every program looked for at once (each a few access() calls down the PATH): one after the other
  // they were about 20 ms of a restarted daemon's start, while it also waits for the old one.
  const names = Object.keys(packages) as System[];
  const paths = await Promise.all(names.map((name) => findExecutable(name, SEARCH())));
  const found: Partial<Tools> = Object.fromEntries(names.map((name, i) => [name, paths[i]]));
  const missing = names.filter((name) => !found[name]);
  if (missing.length) {
    const pkgs = [...new Set(missing.map((m) => packages[m as System]))];
    throw new MinipodError('NOT_FOUND', `${missing.join(', ')} not found in PATH: install ${pkgs.join(' and ')} (apt-get install ${pkgs.join(' ')})`);
  }
  const own = { pause: PAUSE_PATH, pidwatch: PIDWATCH_PATH, cgexec: CGEXEC_PATH, shim: SHIM_PATH, ptyrelay: PTYRELAY_PATH, portfwd: PORTFWD_PATH };
  const built = await Promise.all(Object.values(own).map(executable));
  const unbuilt = Object.entries(own).filter((_, i) => !built[i]).map(([what, file]) => `${what} (${file})`);
  if (unbuilt.length) throw new MinipodError('NOT_FOUND', `${unbuilt.join(', ')} missing: build with \`npm run build\` (needs gcc and libc6-dev)`);
  // Optional: only containers with an image need an OCI runtime (the daemon's --oci-runtime, a pod's
  // runtimeClassName), only pod egress nft or iptables.
  const optional: Partial<Tools> = {};
  const others = ['runc', 'crun', 'nft', 'iptables'] as const;
  const files = await Promise.all(others.map((name) => findExecutable(name, SEARCH())));
  for (const [i, name] of others.entries()) if (files[i]) optional[name] = files[i];
  const tools = { ...(found as Omit<Tools, keyof typeof own>), ...own, ...optional };
  setTools(tools);
  return tools;
}
