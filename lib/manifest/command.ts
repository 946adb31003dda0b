// What a container runs: its argv (command, args, and for an image its ENTRYPOINT and CMD, by
// Kubernetes' rules), where the program is looked up, and its environment. Creation resolves argv
// from this, and a stored record's argv is checked against it (store/record-check.ts).
import { expand, ownEnv, type PodFields } from './env.js';
import type { ContainerSpec } from './pod-spec.js';

/** PATH for a container's command when its env gives none (as a container image's default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The parts of an image's config (OCI image spec, `config`) a container's process comes from. */
export interface ImageConfig {
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  User?: string;
}

export interface CommandLookup {
  name: string; // argv[0], as written
  pathEnv: string; // the container's PATH, else the image's, else the default
  cwd: string;
}

/**
 * Kubernetes' rules: `command` replaces the image's ENTRYPOINT (and its CMD is then ignored);
 * `args` replaces CMD. Without an image, command + args.
 */
export function containerArgv(c: ContainerSpec, image?: ImageConfig): string[] {
  if (c.command || !image) return [...(c.command ?? []), ...c.args];
  return [...(image.Entrypoint ?? []), ...(c.args.length ? c.args : (image.Cmd ?? []))];
}

/** The environment: the image's, then the pod's HOSTNAME, then the container's own (which wins). */
export function containerEnv(c: ContainerSpec, hostname: string, image?: ImageConfig, pod?: PodFields): Record<string, string> {
  const fromImage = Object.fromEntries((image?.Env ?? []).filter((e) => e.indexOf('=') > 0).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  return { PATH: DEFAULT_PATH, ...fromImage, HOSTNAME: hostname, ...ownEnv(c.env, pod) };
}

/** argv with `$(NAME)` replaced by the container's own variables (kubelet expands command and args so). */
export function expandArgv(argv: string[], c: ContainerSpec, pod: PodFields): string[] {
  const own = ownEnv(c.env, pod);
  return argv.map((a) => expand(a, own));
}

export function commandLookup(c: ContainerSpec, image?: ImageConfig): CommandLookup {
  const argv = containerArgv(c, image);
  return { name: argv[0] ?? '', pathEnv: containerEnv(c, '', image).PATH!, cwd: c.workingDir ?? (image?.WorkingDir || '/') };
}

/** argv after the resolved program. */
export function commandArgs(c: ContainerSpec, image?: ImageConfig): string[] {
  return containerArgv(c, image).slice(1);
}

/** The image's User as uid and gid: numeric only ("1000", "1000:1000"); "" or "root" is 0. */
export function imageUser(user: string | undefined): { uid: number; gid: number } | undefined {
  if (!user || user === 'root') return { uid: 0, gid: 0 };
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  return m ? { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) } : undefined;
}
