// The one builder of nsenter command lines. nsenter joins the namespaces and execs the program in
// place (it forks only to enter a PID namespace, which we never ask for), so the pid spawned is
// the program's pid.
import { tools, type NsKind } from '../os/host.js';

const FLAG: Record<NsKind, string> = { net: '--net', uts: '--uts', ipc: '--ipc', mnt: '--mount' };

/** argv that runs `argv` in pid's namespaces of `kinds`; `nsenter` is the program's path. */
export function nsenterArgv(nsenter: string, pid: number, kinds: readonly NsKind[], argv: readonly string[]): string[] {
  return [nsenter, `--target=${pid}`, ...kinds.map((k) => FLAG[k]), '--', ...argv];
}

/** The namespaces a pod's holder keeps and its apps share. */
export const POD_NAMESPACES: readonly NsKind[] = ['net', 'uts', 'ipc'];

/**
 * argv that runs `argv` inside the pod whose holder (or any member) is pid; as `user` if given
 * (nsenter sets the gid, with no supplementary groups, then the uid, last before the exec).
 */
export function inPodNamespaces(pid: number, argv: readonly string[], user?: { uid: number; gid: number }): string[] {
  const [nsenter, ...rest] = nsenterArgv(tools().nsenter, pid, POD_NAMESPACES, argv);
  return user ? [nsenter!, `--setgid=${user.gid}`, `--setuid=${user.uid}`, ...rest] : [nsenter!, ...rest];
}
