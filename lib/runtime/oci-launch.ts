// A bundle run under its OCI runtime (oci.ts): the shim (rootfs/shim) starts `runc run --keep` or
// `crun run --detach` (oci-runtimes.ts) with the container's log as its output, and the runtime
// tells the container's pid (its PID 1, inside the pod's network namespace) by the pid file.
import { closeSync } from 'node:fs';
import path from 'node:path';
import { MinipodError } from '../errors.js';
import { kill, spawnProcess, tools, type Proc } from '../os/host.js';
import { lastLine, type OciContainer } from './bundle.js';
import { openContainerLog } from './container-log.js';
import { RUN_MODE, type OciRuntimeName } from './oci-runtimes.js';
import { EXIT_FILE, pidFromFile } from './shim.js';

/** A runtime creates a container in well under a second; one that takes this long is stuck. */
const CREATE_TIMEOUT_MS = 15_000;

export interface Launch {
  runtime: OciRuntimeName;
  /** The runtime's binary and its --root (STATE/NAME). */
  binary: string;
  root: string;
  /** The bundle, its id, and the container's name and log (for the errors). */
  dir: string;
  id: string;
  name: string;
  logPath: string;
}

/** The shim, spawned (without a pid if it could not be). Not async: a Proc is a thenable, which a promise would wait for. */
export function spawnShim(l: Launch): Proc {
  const logFd = openContainerLog(l.logPath);
  try {
    // The shim (rootfs/shim) outlives us with the container's exit status, which it keeps in the
    // bundle for a daemon that was not there: runc's in the foreground, or, after crun has
    // detached, the container's own (the shim is its subreaper, told its pid by the pid file).
    const pidFile = path.join(l.dir, 'pid');
    const mode = RUN_MODE[l.runtime];
    return spawnProcess([tools().shim, '-l', ...(mode.detached ? ['-r', pidFile] : []), path.join(l.dir, EXIT_FILE), l.binary, '--root', l.root, ...mode.args, '--bundle', l.dir, '--pid-file', pidFile, l.id], { stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
}

/**
 * The container's pid, once the runtime has written it. If the runtime failed, or is stuck (then
 * killed), the error comes after the container has ended, with the last line of its log.
 */
export async function containerPid(proc: Proc, container: OciContainer, l: Launch): Promise<number> {
  const pid = await pidFromFile(proc, path.join(l.dir, 'pid'), CREATE_TIMEOUT_MS);
  if (pid && pid > 0) return pid;
  if (!pid) kill(-proc.pid!, 'SIGKILL'); // the shim leads its process group, and the runtime is in it
  await new Promise((r) => (container.exited ? r(null) : container.once('exit', r)));
  throw new MinipodError('COMMAND_FAILED', `${l.runtime} could not start container ${l.name}${pid ? ` (exit ${container.exitCode ?? container.signalCode})` : ` within ${CREATE_TIMEOUT_MS / 1000}s`}: ${await lastLine(l.logPath)}`);
}
