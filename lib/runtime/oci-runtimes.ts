// The OCI runtimes an image container may run under, and how each is told to run one. Both take
// the same bundle and the same commands (create/run, exec, delete, list); they differ in how a
// container that has exited is kept until minipod has read its cgroups (oci.ts, the OOM counter):
// runc `run --keep` stays in the foreground as the container's parent; crun 1.8 has no --keep, and
// keeps only a detached container, whose PID 1 the shim then takes as its child (rootfs/shim -r).
import { MinipodError } from '../errors.js';

export const OCI_RUNTIMES = ['runc', 'crun'] as const;
export type OciRuntimeName = (typeof OCI_RUNTIMES)[number];
export const DEFAULT_OCI_RUNTIME: OciRuntimeName = 'runc';

/** `run`'s arguments, and whether the runtime detaches (the shim then waits for the container's PID 1). */
export const RUN_MODE: Record<OciRuntimeName, { args: string[]; detached: boolean }> = {
  runc: { args: ['run', '--keep'], detached: false },
  crun: { args: ['run', '--detach'], detached: true },
};

/** The Debian package each comes in (the hint of a "not installed" error). */
export const PACKAGE: Record<OciRuntimeName, string> = { runc: 'runc', crun: 'crun' };

/** A runtime name as a flag or field gives it, checked: one of OCI_RUNTIMES, or an error naming `what`. */
export function checkOciRuntime(value: unknown, what: string): OciRuntimeName {
  if (typeof value === 'string' && (OCI_RUNTIMES as readonly string[]).includes(value)) return value as OciRuntimeName;
  throw new MinipodError('INVALID_ARGUMENT', `${what} ${JSON.stringify(value)}: give ${OCI_RUNTIMES.join(' or ')} (the OCI runtime image containers run under; default ${DEFAULT_OCI_RUNTIME})`);
}

/** The error for a runtime that is not installed, naming the flag or field that asked for it. */
export function notInstalled(name: OciRuntimeName, what: string): MinipodError {
  return new MinipodError('NOT_FOUND', `${what} ${name}: ${name} is not installed: install it (apt-get install ${PACKAGE[name]}), or use ${OCI_RUNTIMES.filter((r) => r !== name).join(' or ')}`);
}
