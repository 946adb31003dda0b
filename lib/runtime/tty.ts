// `exec -t`: the argv that runs a command on a terminal through rootfs/ptyrelay. A pty of its own
// for a host process (nsenter); for runc or crun, the one `exec --tty` makes inside the container
// and sends over a console socket (the runtime makes the process a session leader there, so only a
// terminal it sets up can be its controlling one: without it Ctrl-C would never reach a foreground job).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WindowSize } from '../api/frames.js';
import { spawnProcess, tools, type Proc } from '../os/host.js';
import { onExit } from '../process/exit.js';
import type { ExecSpec } from './types.js';

/** Where the runtime sends the terminal's master, and writes the detached process's pid. */
export interface ConsoleSocket {
  socket: string;
  pidFile: string;
}

export function onTerminal(size: WindowSize, argv: string[], console?: ConsoleSocket): string[] {
  return [tools().ptyrelay, String(size.rows), String(size.cols), ...(console ? ['-s', console.socket, console.pidFile] : []), ...argv];
}

/**
 * `runc exec` (or crun's, the same flags) of argv in container id: piped stdio; with a terminal, `exec --tty --detach`
 * sends the pty it makes over a console socket to ptyrelay, which relays it (its directory is
 * removed with the exec).
 */
export async function ociExec(runtime: string[], id: string, spec: Pick<ExecSpec, 'argv'> & { tty?: WindowSize | undefined }): Promise<{ proc: Proc }> {
  if (!spec.tty) return { proc: spawnProcess([...runtime, id, ...spec.argv], { stdio: ['pipe', 'pipe', 'pipe'] }) };
  // A socket path must fit in 108 bytes: a short private directory, removed with the exec.
  const dir = await mkdtemp(path.join(tmpdir(), 'minipod-tty-'));
  const consoleSocket = { socket: path.join(dir, 'console.sock'), pidFile: path.join(dir, 'pid') };
  const argv = [...runtime, '--tty', '--detach', '--console-socket', consoleSocket.socket, '--pid-file', consoleSocket.pidFile, '--env', 'TERM=xterm', id, ...spec.argv];
  const proc = spawnProcess(onTerminal(spec.tty, argv, consoleSocket), { stdio: ['pipe', 'pipe', 'pipe'] });
  onExit(proc, () => void rm(dir, { recursive: true, force: true }));
  return { proc };
}
