// `exec -t`: the argv that runs a command on a terminal through rootfs/ptyrelay. A pty of its own
// for a host process (nsenter); for runc, the one `runc exec --tty` makes inside the container and
// sends over a console socket (runc makes the process a session leader there, so only a terminal
// runc sets up can be its controlling one: without it Ctrl-C would never reach a foreground job).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WindowSize } from '../api/frames.js';
import { spawnProcess, tools, type Proc } from '../os/host.js';
import { onExit } from '../process/exit.js';
import type { ExecSpec } from './types.js';

/** Where runc sends the terminal's master, and writes the detached process's pid. */
export interface ConsoleSocket {
  socket: string;
  pidFile: string;
}

export function onTerminal(size: WindowSize, argv: string[], console?: ConsoleSocket): string[] {
  return [tools().ptyrelay, String(size.rows), String(size.cols), ...(console ? ['-s', console.socket, console.pidFile] : []), ...argv];
}

/**
 * `runc exec` of argv in container id: piped stdio; with a terminal, `runc exec --tty --detach`
 * sends the pty it makes over a console socket to ptyrelay, which relays it (its directory is
 * removed with the exec).
 */
export async function runcExec(runc: string[], id: string, spec: Pick<ExecSpec, 'argv'> & { tty?: WindowSize | undefined }): Promise<{ proc: Proc }> {
  if (!spec.tty) return { proc: spawnProcess([...runc, id, ...spec.argv], { stdio: ['pipe', 'pipe', 'pipe'] }) };
  // A socket path must fit in 108 bytes: a short private directory, removed with the exec.
  const dir = await mkdtemp(path.join(tmpdir(), 'minipod-tty-'));
  const consoleSocket = { socket: path.join(dir, 'console.sock'), pidFile: path.join(dir, 'pid') };
  const argv = [...runc, '--tty', '--detach', '--console-socket', consoleSocket.socket, '--pid-file', consoleSocket.pidFile, '--env', 'TERM=xterm', id, ...spec.argv];
  const proc = spawnProcess(onTerminal(spec.tty, argv, consoleSocket), { stdio: ['pipe', 'pipe', 'pipe'] });
  onExit(proc, () => void rm(dir, { recursive: true, force: true }));
  return { proc };
}
