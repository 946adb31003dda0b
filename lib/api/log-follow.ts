// `minipod logs [-f]`: a container's log file at the client's pace; with follow, woken by inotify
// on the file, across copytruncate rotations, until the pod goes or the container has run its last.
import { watch, type FSWatcher } from 'node:fs';
import { open as openFile, stat, type FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { LogRenderer, type RenderOptions } from '../logs/cri.js';
import { tailOffset } from '../logs/files.js';
import { rotationsOf } from '../logs/rotations.js';
import { writeWithBackpressure } from './streams.js';

/** While following a log, how often it is read even with no inotify wake-up: inotify can miss a
 * write (a file on some network or FUSE file systems) and a watch can fail to start. */
const SAFETY_POLL_MS = 1500;
/** Bytes read at a time: a rotation is looked for between two reads. */
const CHUNK = 256 * 1024;

export interface Follow {
  /** Aborted when the pod goes: the follow ends. */
  gone: AbortSignal;
  /** Checked on each safety poll, should the pod go without a word. */
  stillThere: () => boolean;
  /** Aborted when the container has run for the last time: the file is read to its end, then the follow ends. */
  ended?: AbortSignal;
}

export interface ReadOptions extends RenderOptions {
  /** Only the last this many lines (then, with follow, what comes). */
  tail?: number;
}

/** A log file (its records rendered, lib/logs/cri.ts) from the start or its last `tail` lines;
 * with follow, new output as it is written, until the pod goes. */
export async function streamLog(file: string, res: ServerResponse, follow?: Follow, opts: ReadOptions = {}): Promise<undefined> {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).flushHeaders(); // `logs -f` of an empty log is answered at once
  const renderer = new LogRenderer(opts);
  // Rotation (copytruncate, by this daemon) is followed through logs/rotations.ts, below. A
  // container that starts again renames NAME.log to NAME.previous.log and writes a new NAME.log (a
  // new inode): that means "start over", and watch the new file; so does a file grown shorter.
  const current = () => stat(file).then((s) => ({ size: s.size, ino: s.ino as number | undefined }), () => ({ size: 0, ino: undefined }));
  let fileIno = opts.tail === undefined ? undefined : (await current()).ino;
  let offset = opts.tail === undefined ? 0 : await tailOffset(file, opts.tail);
  let replaced = false;
  // Without follow, what the file holds now: a writer faster than the client is not chased.
  const stopAt = follow ? Infinity : (await current()).size;
  // Rotations this daemon made since the last read (logs/rotations.ts): the rest of the old file is
  // read from its copies first, and a chunk read while one was made is read again from them.
  let counted = rotationsOf(file).count;
  /** Each chunk of fh from `from` on, to the client; false once it has gone. */
  const send = async (fh: FileHandle, from: number, until = Infinity): Promise<boolean> => {
    const buf = Buffer.alloc(CHUNK);
    for (let pos = from; pos < until; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, until - pos), pos);
      if (bytesRead === 0) return true;
      const out = renderer.push(buf.subarray(0, bytesRead));
      if (out.length && !(await writeWithBackpressure(res, out))) return false;
      pos += bytesRead;
    }
    return true;
  };
  /**
   * The rest of the old file from the copies of `behind` rotations (NAME.log.behind the oldest);
   * false once the client has gone. Each copy is opened before any is read: a rotation meanwhile
   * moves the names, not what an open descriptor reads (undefined: one came, look again).
   */
  const fromCopies = async (behind: number, count: number): Promise<boolean | undefined> => {
    const { copies } = rotationsOf(file);
    const wanted = Array.from({ length: Math.min(behind, copies.length) }, (_, j) => Math.min(behind, copies.length) - j); // oldest first
    const handles = await Promise.all(wanted.map((i) => openFile(`${file}.${i}`, 'r').catch(() => undefined))); // no room for a copy: lost with it
    try {
      const now = rotationsOf(file);
      if (now.busy || now.count !== count) return undefined;
      for (const [j, fh] of handles.entries()) {
        const i = wanted[j]!;
        if (fh && !(await send(fh, i === behind ? Math.max(0, offset - copies[i - 1]!.start) : 0))) return false;
      }
      return true;
    } finally {
      await Promise.all(handles.map((fh) => fh?.close()));
    }
  };
  const copy = async (): Promise<void> => {
    for (;;) {
      await rotationsOf(file).busy;
      const { count } = rotationsOf(file);
      if (count > counted) {
        const done = await fromCopies(count - counted, count);
        if (done === undefined) continue; // another rotation came while the copies were opened
        if (!done || !follow) return; // without follow: what was there is sent
        counted = count;
        offset = 0;
        renderer.reset();
        continue; // another may have begun meanwhile
      }
      counted = count; // fewer: forgotten (the pod's logs removed), nothing to read from copies
      const { size, ino: now } = await current();
      if (rotationsOf(file).busy) continue;
      replaced ||= now !== fileIno;
      if (size < offset || (now !== fileIno && fileIno !== undefined)) {
        offset = 0; // truncated by someone else, or another file (the container started again)
        renderer.reset();
      }
      fileIno = now;
      const end = Math.min(size, stopAt);
      if (end <= offset) return;
      const fh = await openFile(file, 'r').catch(() => undefined);
      if (!fh) return;
      let chunk: Buffer;
      try {
        const { bytesRead, buffer } = await fh.read(Buffer.alloc(Math.min(CHUNK, end - offset)), 0, Math.min(CHUNK, end - offset), offset);
        chunk = buffer.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
      if (rotationsOf(file).busy || rotationsOf(file).count !== counted) continue; // rotated while it was read: read again from the copy
      if (!chunk.length) return;
      const out = renderer.push(chunk);
      if (out.length && !(await writeWithBackpressure(res, out))) return;
      offset += chunk.length;
    }
  };
  if (!follow) {
    await copy();
    res.end(renderer.end());
    return undefined;
  }
  // The app writes its log file directly, so there is no daemon-side stream to tap: inotify on the
  // file (its inode, which copytruncate keeps) says when to read again.
  const wake = new Wake(SAFETY_POLL_MS);
  let watcher: FSWatcher | undefined;
  const startWatch = () => {
    try {
      watcher = watch(file, { persistent: false }, wake.poke);
      watcher.on('error', () => {}); // the file went (the pod's removal): the safety poll carries on
    } catch {
      // No watch (the file not there yet, no inotify): the safety poll, which tries again.
    }
  };
  startWatch();
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  const gone = new Promise<void>((resolve) => (follow.gone.aborted ? resolve() : follow.gone.addEventListener('abort', () => resolve(), { once: true })));
  let open = true;
  void closed.then(() => (open = false));
  follow.ended?.addEventListener('abort', wake.poke, { once: true });
  void Promise.race([closed, gone]).then(wake.poke);
  try {
    await copy();
    while (open && !follow.gone.aborted && !follow.ended?.aborted) {
      const poked = await wake.next();
      if (follow.ended?.aborted) await copy(); // its last output, then the end
      if (!open || follow.gone.aborted || (!poked && !follow.stillThere())) break;
      if (!watcher || replaced) {
        watcher?.close();
        watcher = undefined;
        replaced = false;
        startWatch();
      }
      await copy();
    }
  } finally {
    watcher?.close();
    wake.stop();
  }
  res.end(renderer.end());
  return undefined;
}

/** Wake-ups coalesced: next() resolves true at once if poked since the last call, else at the next
 * poke, or false after idleMs. */
class Wake {
  private poked = false;
  private resolve: ((poked: boolean) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs: number) {}

  readonly poke = (): void => {
    this.poked = true;
    this.settle(true);
  };

  next(): Promise<boolean> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(() => this.settle(false), this.idleMs);
    });
  }

  stop(): void {
    this.settle(false);
  }

  private settle(poked: boolean): void {
    clearTimeout(this.timer);
    const resolve = this.resolve;
    this.resolve = undefined;
    if (resolve) {
      if (poked) this.poked = false;
      resolve(poked);
    }
  }
}
