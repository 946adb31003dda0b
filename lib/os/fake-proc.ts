// The fake kernel's processes (fake.ts): an entry of its process table, and the handle spawn
// returns, which behaves as a real child does (os/child.ts: pid, streams, 'exit' once, awaitable).
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { FakeHost } from './fake.js';
import type { NsKind, Proc, ProcResult, SpawnOptions } from './types.js';

export interface FakeProcess {
  pid: number;
  ppid: number;
  /** Process group and session: a spawned process leads both (spawned detached). */
  pgid: number;
  argv: string[];
  exe: string;
  startTime: string;
  state: 'S' | 'T' | 'Z';
  ns: Record<NsKind, string>;
  cgroup: string;
  /** Its place in v1 hierarchies by controller ("pids" → "/minipod/pod-u1"), listed before the unified one. */
  v1?: Record<string, string>;
  /** Ignores SIGTERM (a stubborn app): only SIGKILL ends it. */
  ignoresTerm?: boolean;
  handle?: FakeProc;
}

/** What spawn returns: a child we can signal, read and wait for, as a real one (os/child.ts). */
export class FakeProc extends EventEmitter implements Proc {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly stdin: PassThrough | null;
  readonly stdout: PassThrough | null;
  readonly stderr: PassThrough | null;
  private readonly done: Promise<ProcResult>;
  private finish!: (r: ProcResult) => void;

  constructor(readonly pid: number | undefined, private readonly host: FakeHost, stdio: SpawnOptions['stdio']) {
    super();
    [this.stdin, this.stdout, this.stderr] = stdio.map((s) => (s === 'pipe' ? new PassThrough() : null)) as [PassThrough | null, PassThrough | null, PassThrough | null];
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    return this.pid !== undefined && this.host.kill(this.pid, signal);
  }

  unref(): void {}

  /** Called by the host when the process ends. */
  ended(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitCode = code;
    this.signalCode = signal;
    this.stdout?.end();
    this.stderr?.end();
    this.emit('exit', code, signal);
    this.finish({ exitCode: code ?? undefined, signal: signal ?? undefined, failed: code !== 0 });
  }

  then<A = ProcResult, B = never>(ok?: ((r: ProcResult) => A | PromiseLike<A>) | null, fail?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.done.then(ok, fail);
  }

  catch(fail: (e: unknown) => unknown): Promise<unknown> {
    return this.done.catch(fail);
  }
}


/** /proc/PID/FILE of a fake process, in the kernel's format (what lib/process parses). */
export function procFile(p: FakeProcess, file: string): string | undefined {
  if (file === 'stat') {
    // Fields after the start time too (vsize, rss), as the kernel's: it is never the last, newline-ended one.
    const fields = [p.state, p.ppid, p.pgid, p.pgid, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 1, 0, p.startTime, 0, 0];
    return `${p.pid} (${path.basename(p.exe).slice(0, 15)}) ${fields.join(' ')}\n`;
  }
  if (file === 'cmdline') return `${p.argv.join('\0')}\0`;
  if (file === 'cgroup') return [...Object.entries(p.v1 ?? {}).map(([c, rel], i) => `${i + 1}:${c}:${rel}\n`), `0::${p.cgroup}\n`].join('');
  if (file.startsWith('net/')) return '  sl  local_address rem_address   st\n';
  return undefined;
}
