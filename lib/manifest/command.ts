// Where a container's program is looked up and what follows it in argv: creation resolves argv
// from this, and a stored record's argv is checked against it (store/record-check.ts).
/** PATH for a container's command when its env gives none (as a container image's default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
import type { ContainerSpec } from './pod-spec.js';

export interface CommandLookup {
  name: string; // command[0]
  pathEnv: string; // the container's PATH, else the default
  cwd: string;
}

export function commandLookup(c: ContainerSpec): CommandLookup {
  const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
  return { name: c.command[0]!, pathEnv: env.PATH ?? DEFAULT_PATH, cwd: c.workingDir ?? '/' };
}

/** argv after the resolved program: the rest of command, then args. */
export function commandArgs(c: ContainerSpec): string[] {
  return [...c.command.slice(1), ...c.args];
}
