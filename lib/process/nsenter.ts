// The argv that runs a program inside a pod's namespaces: nsenter joins them and execs the
// program in place (no fork for net/uts/ipc), so the pid spawned is the program's pid.
export function inPodNamespaces(nsenter: string, pid: number, argv: readonly string[]): string[] {
  return [nsenter, `--target=${pid}`, '--net', '--uts', '--ipc', '--', ...argv];
}
