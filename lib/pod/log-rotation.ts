// Container logs capped and rotated as kubelet does (containerLogMaxSize, containerLogMaxFiles).
//
// Apps write their log file directly (an O_APPEND descriptor given at spawn), so they outlive a
// daemon restart; the daemon cannot rename the file under them. It rotates by *copytruncate*:
// when NAME.log passes maxSize, NAME.log.(N-1)… shift up one, the last maxSize bytes of NAME.log
// are copied to NAME.log.1 and NAME.log is truncated to 0 (O_APPEND writes go on at the new end).
// At most maxFiles files per container (the current one included). Bytes the app writes between
// the copy and the truncation are lost: the price of never touching the app's descriptor.
import { open, rename, rm, stat, truncate } from 'node:fs/promises';
import { log } from '../log.js';
import { beginRotation } from '../logs/rotations.js';
import type { LogLimits } from './log-limits.js';

// The limits and their flags live in log-limits.ts: the CLI checks them without loading the logger.
export { DEFAULT_LOG_FLAGS, DEFAULT_LOG_LIMITS, logLimits, MIN_LOG_FILES, MIN_LOG_SIZE, type LogLimits } from './log-limits.js';

/** One stat per running container per tick: what a tick lets through is the bound's slack. */
export const ROTATE_INTERVAL_MS = 250;
const COPY_CHUNK = 1024 * 1024;

/** Rotate file if it passed limits.maxSize; true if it did. Never copies more than maxSize bytes. */
export async function rotateLog(file: string, limits: LogLimits): Promise<boolean> {
  const size = await stat(file).then((s) => s.size, () => 0);
  if (size <= limits.maxSize) return false;
  // `logs -f` of this file reads nothing until it is done, then the rest from the copies (logs/rotations.ts).
  const done = beginRotation(file);
  const copied = { start: Math.max(0, size - limits.maxSize), end: size };
  let kept = true;
  try {
    // NAME.log.(N-2) → .(N-1), …, .1 → .2; the oldest is replaced by the rename.
    for (let i = limits.maxFiles - 2; i >= 1; i--) await rename(`${file}.${i}`, `${file}.${i + 1}`).catch(ignoreMissing);
    // A new .1 every time, made exclusively, also with two files, where no rename frees the name.
    await rm(`${file}.1`, { force: true }).catch(() => {}); // if it stays, the copy below fails and is skipped
    try {
      await copyTail(file, `${file}.1`, copied.start, copied.end);
    } catch (err) {
      // No room for the copy (a full disk): the cap matters more than the old lines.
      kept = false;
      await rm(`${file}.1`, { force: true }).catch(() => {});
      log.warn({ file, err: (err as Error).message }, 'log rotation could not keep a copy; truncated anyway');
    }
    await truncate(file, 0);
  } finally {
    done(kept ? copied : undefined);
  }
  return true;
}

async function copyTail(from: string, to: string, start: number, end: number): Promise<void> {
  const src = await open(from, 'r');
  try {
    const dst = await open(to, 'wx', 0o600);
    try {
      const buf = Buffer.alloc(Math.min(COPY_CHUNK, end - start));
      for (let pos = start; pos < end; ) {
        const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, end - pos), pos);
        if (bytesRead === 0) break; // truncated meanwhile
        await dst.write(buf, 0, bytesRead);
        pos += bytesRead;
      }
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

/** Checks every running container's log every ROTATE_INTERVAL_MS; one pass at a time. */
export class LogRotator {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly limits: LogLimits,
    private readonly files: () => string[],
    private readonly intervalMs = ROTATE_INTERVAL_MS,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass; resolves with the files rotated. */
  async check(): Promise<string[]> {
    if (this.busy) return [];
    this.busy = true;
    const rotated: string[] = [];
    try {
      for (const file of this.files()) {
        try {
          if (await rotateLog(file, this.limits)) rotated.push(file);
        } catch (err) {
          log.warn({ file, err: (err as Error).message }, 'log rotation failed');
        }
      }
    } finally {
      this.busy = false;
    }
    return rotated;
  }
}
