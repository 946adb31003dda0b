// `minipod logs [-f]`: a container's log file at the client's pace; with follow, woken by inotify
// on the file, across copytruncate rotations, until the pod goes.
import { createReadStream, watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { LogRenderer, type RenderOptions } from '../logs/cri.js';
import { tailOffset } from '../logs/files.js';
import { writeWithBackpressure } from './streams.js';

/** While following a log, how often it is read even with no inotify wake-up: inotify can miss a
 * write (a file on some network or FUSE file systems) and a watch can fail to start. */
const SAFETY_POLL_MS = 1500;

export interface Follow {
  /** Aborted when the pod goes: the follow ends. */
  gone: AbortSignal;
  /** Checked on each safety poll, should the pod go without a word. */
  stillThere: () => boolean;
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
  // Rotation (copytruncate) truncates the file in place; a fast writer may have refilled it past
  // our offset by the next read, so a new NAME.log.1 (a new inode) also means "start over".
  // A container that starts again renames NAME.log to NAME.previous.log and writes a new NAME.log
  // (a new inode): that too means "start over", and watch the new file.
  const rotatedInode = () => stat(`${file}.1`).then((s) => s.ino, () => undefined);
  const current = () => stat(file).then((s) => ({ size: s.size, ino: s.ino as number | undefined }), () => ({ size: 0, ino: undefined }));
  let rotatedIno = opts.tail === undefined ? undefined : await rotatedInode();
  let fileIno = opts.tail === undefined ? undefined : (await current()).ino;
  let offset = opts.tail === undefined ? 0 : await tailOffset(file, opts.tail);
  let replaced = false;
  const copy = async () => {
    const ino = await rotatedInode(); // first: a rotation between the two shows as a shrink
    const { size, ino: now } = await current();
    replaced ||= now !== fileIno;
    if (size < offset || ino !== rotatedIno || (now !== fileIno && fileIno !== undefined)) {
      offset = 0; // truncated, or another file
      renderer.reset();
    }
    rotatedIno = ino;
    fileIno = now;
    if (size === offset) return;
    for await (const chunk of createReadStream(file, { start: offset, end: size - 1 }) as AsyncIterable<Buffer>) {
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
  void Promise.race([closed, gone]).then(wake.poke);
  try {
    await copy();
    while (open && !follow.gone.aborted) {
      const poked = await wake.next();
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
