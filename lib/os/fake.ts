// A simulated kernel behind the door, for unit tests without root: a process table (pid, start
// time, namespaces, cgroup, process group), programs that behave like ours (pause, ip -batch,
// pidwatch: fake-programs.ts; spawn through cgexec, nsenter and the shim: fake-spawn.ts), signals
// that end them, /proc answered from the table, and namespace pins counted (a veth goes with its
// namespace: fake-links.ts). Every call is written to `journal` in a short form ("spawn pause -n",
// "ip link add …", "kill -1003 SIGTERM", "pin net:[4026532001]"), so a test can assert what a verb
// did to the kernel, in which order. Install it with `useHost(fake, fake.tools)` (host.ts).
import path from 'node:path';
import { CommandError } from './command-error.js';
import { PROGRAMS, type Program } from './fake-programs.js';
import { FakeProc, procFile, type FakeProcess } from './fake-proc.js';
import { fakeMount, fakeUmount } from './fake-mounts.js';
import { freeLinks, netDev } from './fake-links.js';
import { fakeSpawn } from './fake-spawn.js';
import type { HeldNamespace, Host, NsKind, Proc, RunOptions, SpawnOptions, Tools } from './types.js';

export { FakeProc, type FakeProcess, type Program };

const BIN = '/fake/bin';

export class FakeHost implements Host {
  readonly tools: Tools = {
    ip: `${BIN}/ip`, nsenter: `${BIN}/nsenter`, unshare: `${BIN}/unshare`, flock: `${BIN}/flock`, umount: `${BIN}/umount`, mount: `${BIN}/mount`, mknod: `${BIN}/mknod`, nice: `${BIN}/nice`, setfattr: `${BIN}/setfattr`,
    pause: '/fake/rootfs/pause', pidwatch: '/fake/rootfs/pidwatch', cgexec: '/fake/rootfs/cgexec', shim: '/fake/rootfs/shim', ptyrelay: '/fake/rootfs/ptyrelay', portfwd: '/fake/rootfs/portfwd',
  };
  readonly journal: string[] = [];
  readonly procs = new Map<number, FakeProcess>();
  /** Behaviour by program name (the basename of what finally runs); anything else sleeps until signalled. */
  readonly programs = new Map<string, Program>(Object.entries(PROGRAMS));
  /** Short commands by program name: return stdout or throw; default: succeed silently (mount and umount: fake-mounts.ts). */
  readonly commands = new Map<string, (argv: readonly string[]) => string>([
    ['mount', (argv) => fakeMount(this, argv)],
    ['umount', (argv) => fakeUmount(this, argv)],
  ]);
  /** Files that may be executed, besides the tools. */
  readonly executables = new Set(['/bin/sleep', '/usr/bin/sleep', '/bin/sh', '/usr/bin/env']);
  /** /proc/self/mountinfo. */
  mountinfo = '';
  /** Namespaces held open right now. */
  readonly pins = new Set<HeldNamespace>();
  /** Every spawn as asked (the journal keeps only what finally runs): argv through cgexec and nsenter, env, cwd. */
  readonly spawned: { argv: readonly string[]; env?: Record<string, string>; cwd?: string; pid: number }[] = [];
  /** A line sent to `ip -batch` fails when this returns a message (e.g. to fail `link add`). */
  ipFails: (line: string) => string | undefined = () => undefined;
  /** A line sent to `ip -batch` (and every later one to that process) waits for the promise this returns: an ip stuck in the kernel. */
  ipHolds: (line: string) => Promise<void> | undefined = () => undefined;
  /** A request to a pause holder (`bind PATH`, …) is answered only once this lets go. */
  pauseHolds: (line: string) => Promise<void> | undefined = () => undefined;
  /** Host links by name, with their master: what `ip -batch` made (`link add NAME master BR`) and has not deleted. */
  readonly links = new Map<string, string>();
  /** A veth's peer's network namespace (`link add … netns PID`): the kernel frees the pair with it (freeLinks). */
  readonly linkPeers = new Map<string, string>();
  readonly self: FakeProcess;
  private nextPid = 1000;
  private nextNs = 4026532000;
  private ticks = 5000;

  constructor() {
    this.self = this.add({ pid: process.pid, ppid: 1, argv: ['node', 'minipod', 'daemon'], ns: { net: this.newNs('net'), uts: this.newNs('uts'), ipc: this.newNs('ipc'), mnt: this.newNs('mnt') }, cgroup: '/' });
  }

  newNs(kind: NsKind): string {
    return `${kind}:[${this.nextNs++}]`;
  }

  /** Put a process in the table (one the test pretends was there before, e.g. from an earlier daemon). */
  add(p: { pid?: number; ppid?: number; argv: string[]; ns?: Partial<Record<NsKind, string>>; cgroup?: string; pgid?: number }): FakeProcess {
    const pid = p.pid ?? this.nextPid++;
    const proc: FakeProcess = { pid, ppid: p.ppid ?? this.self?.pid ?? 1, pgid: p.pgid ?? pid, argv: p.argv, exe: p.argv[0]!, startTime: String(this.ticks++), state: 'S', ns: { ...(this.self?.ns ?? ({} as Record<NsKind, string>)), ...p.ns }, cgroup: p.cgroup ?? '/' };
    this.procs.set(pid, proc);
    return proc;
  }

  /** The journal lines that start with one of prefixes (e.g. 'ip ', 'kill'). */
  lines(...prefixes: string[]): string[] {
    return this.journal.filter((l) => prefixes.some((p) => l.startsWith(p)));
  }

  async run(argv: readonly string[], _options?: RunOptions): Promise<string> {
    const name = path.basename(argv[0]!);
    this.journal.push(`run ${[name, ...argv.slice(1)].join(' ')}`);
    const handler = this.commands.get(name);
    try {
      return handler ? handler(argv) : '';
    } catch (err) {
      throw err instanceof CommandError ? err : new CommandError(argv, 1, undefined, (err as Error).message);
    }
  }

  async runAttached(argv: readonly string[]): Promise<number> {
    await this.run(argv);
    return 0;
  }

  spawn(argv: readonly string[], options: SpawnOptions): Proc {
    return fakeSpawn(this, argv, options);
  }

  kill(pid: number, signal: NodeJS.Signals | 0): boolean {
    const targets = pid < 0 ? [...this.procs.values()].filter((p) => p.pgid === -pid) : [this.procs.get(pid)].filter((p) => !!p);
    const live = targets.filter((p) => p.state !== 'Z');
    this.journal.push(`kill ${pid} ${signal}${live.length ? '' : ' (ESRCH)'}`);
    if (!live.length) return false;
    for (const p of live) {
      if (signal === 0 || signal === 'SIGCONT' || signal === 'SIGCHLD') {
        if (signal === 'SIGCONT' && p.state === 'T') p.state = 'S';
      } else if (signal === 'SIGSTOP') p.state = 'T';
      else if (signal !== 'SIGTERM' || (!p.ignoresTerm && p.state !== 'T')) setImmediate(() => this.exit(p, null, signal));
    }
    return true;
  }

  /** End a process as the kernel would (a test's "it crashed"): its handle hears of it, the table forgets it. */
  exit(p: FakeProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.procs.has(p.pid) || p.state === 'Z') return;
    this.procs.delete(p.pid); // a child of ours is reaped at once; anyone else's is gone
    p.state = 'Z';
    this.journal.push(`exit ${path.basename(p.exe)} ${signal ?? `code ${code}`}`);
    p.handle?.ended(code, signal);
    this.emit(p, code, signal);
    this.freeLinks();
  }

  /** As the kernel: a veth whose peer's network namespace has no process left in it, and no pin, goes with it (fake-links.ts). */
  freeLinks(): void {
    freeLinks(this);
  }

  /**
   * The daemon (self) is gone, as before a restart in a test: its children are the init's now and
   * no handle of it hears how they end (a shim's status file is then all that is kept).
   */
  daemonGone(): void {
    for (const p of this.procs.values()) {
      if (p.ppid !== this.self.pid || !p.handle) continue;
      p.ppid = 1;
      p.handle = undefined;
    }
  }

  /** Who hears of exits besides the handle: the fake pidwatch and shim. */
  readonly exitListeners = new Set<(p: FakeProcess, code: number | null, signal: NodeJS.Signals | null) => void>();
  private emit(p: FakeProcess, code: number | null, signal: NodeJS.Signals | null): void {
    for (const l of this.exitListeners) l(p, code, signal);
  }

  private entry(pid: number | 'self'): FakeProcess | undefined {
    return pid === 'self' ? this.self : this.procs.get(pid);
  }

  readProcSync(pid: number | 'self', file: string): string | undefined {
    if (pid === 'self' && file === 'mountinfo') return this.mountinfo;
    if (pid === 'self' && file === 'net/dev') return netDev(this);
    const p = this.entry(pid);
    return p && procFile(p, file);
  }

  async readProc(pid: number | 'self', file: string): Promise<string | undefined> {
    return this.readProcSync(pid, file);
  }

  async procLink(pid: number | 'self', link: string): Promise<string | undefined> {
    return this.procLinkSync(pid, link);
  }

  procLinkSync(pid: number | 'self', link: string): string | undefined {
    const p = this.entry(pid);
    if (!p) return undefined;
    if (link === 'exe') return p.exe;
    if (link.startsWith('ns/')) return p.ns[link.slice(3) as NsKind];
    return undefined;
  }

  async pids(): Promise<number[]> {
    return [...this.procs.keys()];
  }

  openNamespace(pid: number, kind: NsKind): HeldNamespace | undefined {
    const p = this.procs.get(pid);
    if (!p || p.state === 'Z') return undefined;
    const ns = p.ns[kind];
    this.journal.push(`pin ${ns}`);
    const pin: HeldNamespace = {
      ns,
      close: () => {
        if (!this.pins.delete(pin)) return;
        this.journal.push(`unpin ${ns}`);
        this.freeLinks();
      },
    };
    this.pins.add(pin);
    return pin;
  }

  async writeSysctl(key: string, value: string): Promise<void> {
    this.journal.push(`sysctl ${key}=${value}`);
  }

  async executable(file: string): Promise<boolean> {
    return this.executables.has(file) || Object.values(this.tools).includes(file);
  }

  /** Pids of the live processes running program (the basename of what they exec'd; for assertions). */
  running(program: string): number[] {
    return [...this.procs.values()].filter((p) => p !== this.self && path.basename(p.exe) === program).map((p) => p.pid);
  }

  /** Live processes in a namespace (for assertions). */
  inNamespace(kind: NsKind, ns: string): FakeProcess[] {
    return [...this.procs.values()].filter((p) => p !== this.self && p.ns[kind] === ns);
  }
}
