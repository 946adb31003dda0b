// The door to the kernel, as an interface: everything minipod asks of the operating system for a
// pod — a program run or spawned, a signal, a /proc read, a namespace held open — is one of these
// calls. `linux.ts` does them; `fake.ts` simulates them (a process table, namespaces, programs),
// so the pod verbs run in unit tests without root. See docs/ARCHITECTURE.md, "The door to the kernel".
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';

export type NsKind = 'net' | 'uts' | 'ipc' | 'mnt';

export interface ProcResult {
  exitCode?: number | undefined;
  signal?: string | undefined;
  /** Spawning it failed (no such file), with why. */
  failed?: boolean;
  message?: string;
}

/** A process we spawned: a child (os/child.ts), or a fake one. Emits 'exit' (code, signal) once. */
export interface Proc extends EventEmitter, PromiseLike<ProcResult> {
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
  unref(): void;
  catch(onrejected: (reason: unknown) => unknown): Promise<unknown>;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
}

export interface SpawnOptions {
  /** stdin/stdout/stderr: 'pipe', 'ignore' or an open file descriptor. */
  stdio: ['pipe' | 'ignore', 'pipe' | 'ignore' | number, 'pipe' | 'ignore' | number];
  /** A descriptor of ours the child gets as its fd 3 (flock(1) locks our open file with it: node/lock.ts). */
  fd3?: number;
  /** In our process group, not its own (the default: a Ctrl-C aimed at the daemon never reaches a pod). */
  ourGroup?: boolean;
  env?: Record<string, string>;
  cwd?: string;
}

/** A namespace held open by a descriptor: while it is, its inode number cannot be reused. */
export interface HeldNamespace {
  /** What the descriptor holds, e.g. "net:[4026532636]". */
  readonly ns: string;
  close(): void;
}

/** The programs minipod runs, each an absolute path, found once (tools.ts). */
export interface Tools {
  ip: string;
  nsenter: string;
  unshare: string;
  flock: string;
  umount: string;
  mount: string;
  /** Whiteouts in image layers: a char device 0/0, and the overlayfs opaque xattr. */
  mknod: string;
  /** Starts a node's spare daemon at nice 19 (node/spare-launch.ts). */
  nice: string;
  setfattr: string;
  /** minipod's own, built from rootfs/ by `npm run build`. */
  pause: string;
  pidwatch: string;
  cgexec: string;
  /** Keeps an image container's exit status for a daemon that was not there (rootfs/shim). */
  shim: string;
  /** A terminal for `exec -t`: its own pty, or the one runc makes (rootfs/ptyrelay). */
  ptyrelay: string;
  /** One `port-forward` connection joined to a port on the pod's loopback (rootfs/portfwd). */
  portfwd: string;
  /** The OCI runtimes for containers with an image; absent: those are refused with a hint. */
  runc?: string;
  crun?: string;
  /** Pod egress masquerading (network/egress.ts): nft, or iptables where nft is missing. */
  nft?: string;
  iptables?: string;
}

export interface Host {
  /** Run a short command to completion; stdout, or a CommandError. */
  run(argv: readonly string[], options?: RunOptions): Promise<string>;
  /** Run a command with our stdio attached (`minipod node exec`); its exit code. */
  runAttached(argv: readonly string[]): Promise<number>;
  /** Start a long-lived process in its own process group, not killed when we exit. */
  spawn(argv: readonly string[], options: SpawnOptions): Proc;
  /** kill(2): false if there is no such process (ESRCH). A negative pid is a process group. */
  kill(pid: number, signal: NodeJS.Signals | 0): boolean;
  /** The text of /proc/PID/FILE ('stat', 'cmdline', 'cgroup', 'mountinfo', 'net/tcp'); undefined if gone. */
  readProc(pid: number | 'self', file: string): Promise<string | undefined>;
  /** The same, synchronous: for one tiny read on a critical path, where the thread pool costs more. */
  readProcSync(pid: number | 'self', file: string): string | undefined;
  /** readlink /proc/PID/LINK ('exe', 'ns/net'); undefined if gone. */
  procLink(pid: number | 'self', link: string): Promise<string | undefined>;
  /** procLink, synchronously: for a check that must not yield (the daemon's own namespace before a pin). */
  procLinkSync(pid: number | 'self', link: string): string | undefined;
  /** Every pid in /proc. */
  pids(): Promise<number[]>;
  /** Open /proc/PID/ns/KIND (synchronous: microseconds, on a recovery's critical path); undefined if gone. */
  openNamespace(pid: number, kind: NsKind): HeldNamespace | undefined;
  /** Whether file exists and may be executed. */
  executable(file: string): Promise<boolean>;
  /** Set a sysctl of our network namespace ("net.ipv4.ip_forward", "1"): /proc/sys/net/… is per namespace. */
  writeSysctl(key: string, value: string): Promise<void>;
}
