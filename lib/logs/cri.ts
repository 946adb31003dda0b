// CRI's container log format, as kubelet reads what containerd and CRI-O write, and as rootfs/shim
// -l writes a container's NAME.log: one record per line, "TIMESTAMP STREAM TAG CONTENT", TAG F for a
// full line (its newline dropped), P for a part of one. Pure: records parsed, then rendered as
// `minipod logs` prints them. A line that is not a record (a log written before the shim wrote
// records, or the cut-off first line of a rotated copy) is passed on as it is.

export interface CriRecord {
  /** As written: RFC 3339 with nanoseconds. */
  time: string;
  /** time in epoch milliseconds, for --since. */
  ms: number;
  stream: 'stdout' | 'stderr';
  /** P: the line goes on in the next record. */
  partial: boolean;
  content: Buffer;
}

const HEAD = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) (stdout|stderr) ([PF])(?: |$)/;
/** The longest head a record can have: a timestamp with an offset, the stream, the tag. */
const HEAD_MAX = 64;
const NL = 0x0a;
/** A record is at most the shim's 16 KiB line and its head: more than this without a newline is
 * a raw line (an old log of zeros), passed on as it comes instead of held whole in memory. */
const MAX_HELD = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/** One line of a log file (without its newline) as a record; undefined if it is not one. */
export function parseRecord(line: Buffer): CriRecord | undefined {
  const m = HEAD.exec(line.subarray(0, HEAD_MAX).toString('latin1'));
  if (!m) return undefined;
  const ms = Date.parse(m[1]!);
  if (Number.isNaN(ms)) return undefined;
  return { time: m[1]!, ms, stream: m[2] as CriRecord['stream'], partial: m[3] === 'P', content: line.subarray(m[0].length) };
}

/** One record as the shim writes it (tests, and what minipod itself appends). */
export function formatRecord(time: Date | string, stream: CriRecord['stream'], text: string, partial = false): string {
  const stamp = typeof time === 'string' ? time : time.toISOString();
  return `${stamp} ${stream} ${partial ? 'P' : 'F'} ${text}\n`;
}

export interface RenderOptions {
  /** Each line begins with its record's time and a space (`--timestamps`). */
  timestamps?: boolean;
  /** Lines whose first record is older are left out (`--since`, `--since-time`). */
  sinceMs?: number;
  /** Put before each line (`--prefix`: `[pod/web/app] `). */
  prefix?: string;
}

/**
 * A log file's bytes, chunk by chunk, into what `logs` prints: whole lines only (a record cut by
 * a chunk's end waits for the next chunk), so two containers' output interleaves line by line.
 * A line split into P records is one line: prefixed, stamped and filtered by its first record.
 */
export class LogRenderer {
  private rest: Buffer = EMPTY;
  /** Inside a line of P records: whether it is being printed. */
  private continuing: boolean | undefined;
  /** Inside a raw line longer than MAX_HELD, partly passed on. */
  private rawGoingOn = false;

  constructor(private readonly opts: RenderOptions = {}) {}

  push(chunk: Buffer): Buffer {
    const data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    for (let nl = data.indexOf(NL); nl >= 0; nl = data.indexOf(NL, start)) {
      this.line(data.subarray(start, nl), out);
      start = nl + 1;
    }
    this.rest = Buffer.from(data.subarray(start)); // a copy: the chunk's buffer may be reused
    if (this.rest.length > MAX_HELD) {
      if (!this.rawGoingOn && this.opts.prefix) out.push(Buffer.from(this.opts.prefix));
      out.push(this.rest);
      this.rest = EMPTY;
      this.rawGoingOn = true;
      this.continuing = undefined;
    }
    return Buffer.concat(out);
  }

  /** What is left at the end of the file: an unfinished line, passed on as it is. */
  end(): Buffer {
    const rest = this.rest;
    this.rest = EMPTY;
    if (!rest.length) return EMPTY;
    const out: Buffer[] = [];
    this.line(rest, out);
    const all = Buffer.concat(out);
    return all[all.length - 1] === NL && !parseRecord(rest)?.partial ? all.subarray(0, all.length - 1) : all;
  }

  /** The file was truncated (a rotation): what was held belongs to lines gone. */
  reset(): void {
    this.rest = EMPTY;
    this.continuing = undefined;
    this.rawGoingOn = false;
  }

  private line(line: Buffer, out: Buffer[]): void {
    if (this.rawGoingOn) {
      this.rawGoingOn = false;
      out.push(line, Buffer.from('\n'));
      return;
    }
    const r = parseRecord(line);
    const starting = this.continuing === undefined;
    if (!r) {
      // Not a record: a line as it was written, printed whole (even amid a P line: it ended it).
      this.continuing = undefined;
      if (this.opts.prefix) out.push(Buffer.from(this.opts.prefix));
      out.push(line, Buffer.from('\n'));
      return;
    }
    const print = starting ? this.opts.sinceMs === undefined || r.ms >= this.opts.sinceMs : this.continuing!;
    this.continuing = r.partial ? print : undefined;
    if (!print) return;
    if (starting && this.opts.prefix) out.push(Buffer.from(this.opts.prefix));
    if (starting && this.opts.timestamps) out.push(Buffer.from(`${r.time} `));
    out.push(r.content);
    if (!r.partial) out.push(Buffer.from('\n'));
  }
}

/** Go's duration syntax as kubectl's --since takes it: 30s, 5m, 1h, 1h30m, 1.5h, 500ms; milliseconds. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  if (!text) return undefined;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]!]!;
    at = re.lastIndex;
  }
  return total;
}

/** RFC 3339 as --since-time takes it (a date, a time, and Z or an offset); epoch ms. */
export function parseSinceTime(text: string): number | undefined {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/i.test(text)) return undefined;
  const ms = Date.parse(text.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}
