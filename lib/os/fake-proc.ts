// The fake kernel's processes (fake.ts): an entry of its process table, and the handle spawn
// returns, which behaves as an execa subprocess does (pid, streams, 'exit' once, awaitable).
import { EventEmitter } from 'node:events';
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
  /** Ignores SIGTERM (a stubborn app): only SIGKILL ends it. */
  ignoresTerm?: boolean;
  handle?: FakeProc;
}

/** What spawn returns: a child we can signal, read and wait for, as an execa subprocess. */
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

