// The programs minipod needs, found once at daemon start so a missing one is a clear error
// there, not a failure in the middle of building a pod.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { MinipodError } from '../errors.js';
import { fileURLToPath } from 'node:url';

/** minipod's own programs, built from rootfs/ by `npm run build`. */
export const PAUSE_PATH = fileURLToPath(new URL('../../../rootfs/pause/pause', import.meta.url));
export const PIDWATCH_PATH = fileURLToPath(new URL('../../../rootfs/pidwatch/pidwatch', import.meta.url));
export const CGEXEC_PATH = fileURLToPath(new URL('../../../rootfs/cgexec/cgexec', import.meta.url));

export interface Tools {
  ip: string;
  nsenter: string;
  pause: string;
}

const hints: Record<string, string> = {
  ip: 'install iproute2 (apt-get install iproute2)',
  nsenter: 'install util-linux (apt-get install util-linux)',
};

async function executable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
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

export async function findTools(): Promise<Tools> {
  const found: Partial<Tools> = {};
  for (const name of ['ip', 'nsenter'] as const) {
    found[name] = await findExecutable(name, `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`);
    if (!found[name]) throw new MinipodError('NOT_FOUND', `${name} not found in PATH: ${hints[name]}`);
  }
  if (!(await executable(PAUSE_PATH))) {
    throw new MinipodError('NOT_FOUND', `pause holder ${PAUSE_PATH} is missing: build it with \`npm run build\` (needs gcc and libc6-dev)`);
  }
  for (const [what, file] of [['pidwatch', PIDWATCH_PATH], ['cgexec', CGEXEC_PATH]]) {
    if (!(await executable(file!))) throw new MinipodError('NOT_FOUND', `${what} ${file} is missing: build it with \`npm run build\` (needs gcc and libc6-dev)`);
  }
  return { ip: found.ip!, nsenter: found.nsenter!, pause: PAUSE_PATH };
}
