// A long-lived `ip -force -batch -` process: host-side iproute2 work costs a pipe write, not a spawn.
//
// Framing: ip prints nothing on success and, with -force, reports each failure on stderr as the
// error text followed by "Command failed -:LINE". stderr is unbuffered, so messages arrive in
// order. After each request we send a marker command that always fails (an interface name longer
// than the kernel allows); its "Command failed" line ends the request. Errors seen on the
// request's own lines are its failures.
import { createInterface } from 'node:readline';
import { log } from '../log.js';
import { CommandError } from './command-error.js';
import { spawnProcess, type Proc } from './host.js';
import { IP_BATCH_ARGV, IP_BATCH_STDIO, takeStarted } from './prestart.js';

const MARKER = 'link show dev minipod-batch-marker';
/** ip blocks on the kernel's rtnl lock; a kernel stuck unregistering a device can hold it for
 * minutes. A request unanswered this long kills the process (the next request starts another),
 * so no pod operation, and no daemon shutdown, waits forever. */
const REQUEST_TIMEOUT_MS = 15_000;

export interface BatchFailure {
  line: string;
  message: string;
}

interface Pending {
  lines: string[];
  first: number; // line number of lines[0] in ip's input
  marker: number;
  failures: BatchFailure[];
  resolve: (failures: BatchFailure[]) => void;
}

export class IpBatch {
  private proc: Proc | undefined;
  private lineNo = 0;
  private queue: Pending[] = [];
  private text: string[] = [];

  constructor(readonly ipPath = 'ip') {}

  /** Run lines; resolves with the failures (empty when all succeeded). */
  exec(lines: string[]): Promise<BatchFailure[]> {
    const proc = this.ensure();
    return new Promise((resolve) => {
      const first = this.lineNo + 1;
      this.lineNo += lines.length + 1;
      const timer = setTimeout(() => {
        log.error({ lines }, `ip -batch did not answer within ${REQUEST_TIMEOUT_MS / 1000}s: restarting it`);
        proc.kill('SIGKILL'); // its exit fails every request still queued on it
      }, REQUEST_TIMEOUT_MS);
      timer.unref();
      this.queue.push({ lines, first, marker: this.lineNo, failures: [], resolve: (f) => (clearTimeout(timer), resolve(f)) });
      proc.stdin!.write(`${lines.join('\n')}\n${MARKER}\n`);
    });
  }

  /** Run lines; throws a CommandError naming the first failed line unless `tolerate` accepts it. */
  async run(lines: string[], tolerate: (f: BatchFailure) => boolean = () => false): Promise<void> {
    const failures = (await this.exec(lines)).filter((f) => !tolerate(f));
    if (failures.length) {
      const f = failures[0]!;
      throw new CommandError([this.ipPath, ...f.line.split(' ')], 1, undefined, f.message);
    }
  }

  close(): void {
    this.proc?.stdin?.end();
    this.proc = undefined;
  }

  private ensure(): Proc {
    if (this.proc) return this.proc;
    const argv = IP_BATCH_ARGV(this.ipPath);
    const proc = takeStarted(argv) ?? spawnProcess(argv, { stdio: IP_BATCH_STDIO }); // a spare's, if it started one
    this.proc = proc;
    this.lineNo = 0;
    // Each process has its own queue: a closed one's exit must not fail its successor's requests.
    const queue: Pending[] = [];
    this.queue = queue;
    this.text = [];
    createInterface({ input: proc.stderr! }).on('line', (l) => this.onLine(queue, l));
    void proc.then((result) => {
      if (this.proc === proc) this.proc = undefined;
      // Requests still waiting will never see their marker: fail them rather than hang.
      const lost = queue.splice(0);
      if (lost.length) log.error({ exitCode: result.exitCode }, 'ip -batch exited with requests pending');
      for (const p of lost) p.resolve([{ line: p.lines[0] ?? '', message: `ip -batch exited (${result.signal ?? `code ${result.exitCode}`}) before answering` }]);
    });
    return proc;
  }

  private onLine(queue: Pending[], line: string): void {
    const failed = /^Command failed -:(\d+)$/.exec(line);
    if (!failed) {
      this.text.push(line);
      return;
    }
    const n = Number(failed[1]);
    const message = this.text.join('; ');
    this.text = [];
    const head = queue[0];
    if (!head) return;
    if (n === head.marker) {
      queue.shift();
      head.resolve(head.failures);
    } else if (n >= head.first && n < head.marker) {
      head.failures.push({ line: head.lines[n - head.first]!, message });
    }
  }
}
