// `exec -t`: the argv that runs a command on a terminal through rootfs/ptyrelay. A pty of its own
// for a host process (nsenter); for runc, the one `runc exec --tty` makes inside the container and
// sends over a console socket (runc makes the process a session leader there, so only a terminal
// runc sets up can be its controlling one: without it Ctrl-C would never reach a foreground job).
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { WindowSize } from '../api/frames.js';
import { MinipodError } from '../errors.js';
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

/** sun_path holds 108 bytes, the final NUL included. */
const SOCKET_PATH_MAX = 107;

/**
 * The private directories of the console sockets (STATE/tty/XXXXXX), one per `exec -t` into an
 * image container, each removed with its exec. Under the state dir, never /tmp: a daemon killed
 * during an exec leaves its directory where the next daemon's start (or `gc`) finds it, and knows
 * it for the node's own.
 */
export class ConsoleDirs {
  private readonly active = new Set<string>();

  constructor(readonly root: string) {}

  async make(): Promise<string> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(`${this.root}/`);
    this.active.add(dir);
    const socket = path.join(dir, 'console.sock');
    if (Buffer.byteLength(socket) > SOCKET_PATH_MAX) {
      await this.remove(dir);
      throw new MinipodError('CONFLICT', `exec -t: the console socket path ${socket} is ${Buffer.byteLength(socket)} bytes, over the ${SOCKET_PATH_MAX} a unix socket allows: run the node with a shorter state directory`);
    }
    return dir;
  }

  async remove(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
    this.active.delete(dir);
  }

  /** Directories no exec of this daemon uses: a daemon before us was killed during their exec (gc). */
  async leftovers(): Promise<string[]> {
    return (await readdir(this.root).catch(() => [] as string[])).map((name) => path.join(this.root, name)).filter((dir) => !this.active.has(dir));
  }
}

/**
 * `runc exec` of argv in container id: piped stdio; with a terminal, `runc exec --tty --detach`
 * sends the pty it makes over a console socket to ptyrelay, which relays it (its directory is
 * removed with the exec).
 */
export async function runcExec(runc: string[], id: string, spec: Pick<ExecSpec, 'argv'> & { tty?: WindowSize | undefined }, consoles: ConsoleDirs): Promise<{ proc: Proc }> {
  if (!spec.tty) return { proc: spawnProcess([...runc, id, ...spec.argv], { stdio: ['pipe', 'pipe', 'pipe'] }) };
  const dir = await consoles.make();
  const consoleSocket = { socket: path.join(dir, 'console.sock'), pidFile: path.join(dir, 'pid') };
  const argv = [...runc, '--tty', '--detach', '--console-socket', consoleSocket.socket, '--pid-file', consoleSocket.pidFile, '--env', 'TERM=xterm', id, ...spec.argv];
  const proc = spawnProcess(onTerminal(spec.tty, argv, consoleSocket), { stdio: ['pipe', 'pipe', 'pipe'] });
  onExit(proc, () => void consoles.remove(dir));
  return { proc };
}
