// `exec -t`: the argv that runs a command on a terminal through rootfs/ptyrelay. A pty of its own
// for a host process (nsenter); for runc or crun, the one `exec --tty` makes inside the container
// and sends over a console socket (the runtime makes the process a session leader there, so only a
// terminal it sets up can be its controlling one: without it Ctrl-C would never reach a foreground job).
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WindowSize } from '../api/frames.js';
import { MinipodError } from '../errors.js';
import { kill, spawnProcess, tools, type Proc } from '../os/host.js';
import { onExit } from '../process/exit.js';
import { parentOf } from '../process/identity.js';
import type { ExecSpec, StartedExec } from './types.js';
import { RUNTIME_FAILED, RUNTIME_LOG, startFailure } from './start-failure.js';

/** Where the runtime sends the terminal's master, and writes the detached process's pid. */
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
 * The private directories of the execs into an image container (STATE/tty/XXXXXX: the process
 * file, and for `exec -t` the console socket), one per exec, each removed with its exec. Under the state dir, never /tmp: a daemon killed
 * during an exec leaves its directory where the next daemon's start (or `gc`) finds it, and knows
 * it for the node's own.
 */
export class ConsoleDirs {
  private readonly active = new Set<string>();

  constructor(readonly root: string) {}

  /** A new directory; for a terminal (`withSocket`), one whose console socket path fits. */
  async make(withSocket: boolean): Promise<string> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(`${this.root}/`);
    this.active.add(dir);
    const socket = path.join(dir, 'console.sock');
    if (withSocket && Buffer.byteLength(socket) > SOCKET_PATH_MAX) {
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
 * `runc exec` (or crun's) of argv in container id, as the process `--process` describes: the
 * container's own (its config.json's: env, working dir, user, capabilities, rlimits) with argv
 * for args — given whole because `crun exec` without it starts from nothing (no env, "/", uid 0,
 * no capabilities), where runc's would copy the container's. Piped stdio; with a terminal,
 * `exec --detach` sends the pty the runtime makes over a console socket to ptyrelay, which relays
 * it. Its private directory (the process file, the socket) is removed with the exec.
 */
export async function ociExec(runtime: string[], id: string, config: string, spec: Pick<ExecSpec, 'argv'> & { tty?: WindowSize | undefined }, consoles: ConsoleDirs): Promise<StartedExec> {
  const base = (JSON.parse(await readFile(config, 'utf8')) as { process: { env?: string[] } }).process;
  // consoleSize: the pty's size from the start. runc sets it in the container before the command
  // runs; crun 1.8 (and crun's main branch) sets it from its parent once the command's process has
  // its pid, so a command that asks at once may find 0x0 (about 1 exec in 100 here). Without it,
  // crun would leave 0x0 until ptyrelay sets the size, later still.
  const process = { ...base, args: spec.argv, terminal: !!spec.tty, env: [...(base.env ?? []), ...(spec.tty ? ['TERM=xterm'] : [])], ...(spec.tty ? { consoleSize: { height: spec.tty.rows, width: spec.tty.cols } } : {}) };
  const dir = await consoles.make(!!spec.tty);
  let proc: Proc;
  let pidFile = '';
  try {
    const processFile = path.join(dir, 'process.json');
    pidFile = path.join(dir, 'pid');
    await writeFile(processFile, JSON.stringify(process));
    if (!spec.tty) {
      // The runtime's own messages in a log as well (JSON): its failure to start the command is told
      // apart from the command's own exit 255 by it.
      const global = [...runtime.slice(0, -1), '--log', path.join(dir, RUNTIME_LOG), '--log-format', 'json', runtime.at(-1)!];
      proc = spawnProcess([...global, '--process', processFile, '--pid-file', pidFile, id], { stdio: ['pipe', 'pipe', 'pipe'] });
    } else {
      const consoleSocket = { socket: path.join(dir, 'console.sock'), pidFile: path.join(dir, 'pid') };
      const argv = [...runtime, '--process', processFile, '--detach', '--console-socket', consoleSocket.socket, '--pid-file', consoleSocket.pidFile, id];
      proc = spawnProcess(onTerminal(spec.tty, argv, consoleSocket), { stdio: ['pipe', 'pipe', 'pipe'] });
    }
  } catch (err) {
    await consoles.remove(dir);
    throw err;
  }
  if (spec.tty) {
    onExit(proc, () => void consoles.remove(dir));
    return { proc };
  }
  // Read before the directory goes: why the runtime failed, if it did.
  const failed = new Promise<number | undefined>((resolve) => onExit(proc, (code) => resolve(code !== null && RUNTIME_FAILED.includes(code) ? startFailure(path.join(dir, RUNTIME_LOG)) : undefined)));
  void failed.then(() => consoles.remove(dir));
  // Without a terminal the command leads a session of its own in the container (the runtime's
  // setsid), out of reach of a signal to the runtime's group; the runtime dies of SIGKILL without
  // passing it on. It is signalled itself, through the pid the runtime wrote, while it is still
  // the runtime's child (so the pid is surely the command's).
  const runtimePid = proc.pid;
  const signalCommand = async (signal: NodeJS.Signals) => {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid > 0 && runtimePid && (await parentOf(pid)) === runtimePid) kill(-pid, signal) || kill(pid, signal);
  };
  return { proc, signalCommand, exitCode: async (code) => (await failed) ?? code };
}
