// `exec -t`: the argv that runs a command on a terminal through rootfs/ptyrelay. A pty of its own
// for a host process (nsenter); for runc, the one `runc exec --tty` makes inside the container and
// sends over a console socket (runc makes the process a session leader there, so only a terminal
// runc sets up can be its controlling one: without it Ctrl-C would never reach a foreground job).
import type { WindowSize } from '../api/frames.js';
import { tools } from '../os/host.js';

/** Where runc sends the terminal's master, and writes the detached process's pid. */
export interface ConsoleSocket {
  socket: string;
  pidFile: string;
}

export function onTerminal(size: WindowSize, argv: string[], console?: ConsoleSocket): string[] {
  return [tools().ptyrelay, String(size.rows), String(size.cols), ...(console ? ['-s', console.socket, console.pidFile] : []), ...argv];
}
