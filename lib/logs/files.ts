// A container's log files: NAME.log (the current run; NAME.log.1… its rotated copies) and
// NAME.previous.log (the run before, as kubelet keeps one dead container's log for `logs -p`).
import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { log } from '../log.js';

const CHUNK = 64 * 1024;

/** Where a container's previous run's log is kept. */
export function previousLogPath(logPath: string): string {
  return logPath.replace(/\.log$/, '.previous.log');
}

/**
 * Before a container starts again (a restart, a new sandbox): its last run's log becomes
 * NAME.previous.log, replacing the one before, and that run's rotated copies go, so a container's
 * logs stay within max-files × max-size plus one file. Never fails a start: said in the log.
 */
export async function startNewRun(logPath: string): Promise<void> {
  try {
    await rename(logPath, previousLogPath(logPath));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // a first run
    log.warn({ file: logPath, err: (err as Error).message }, 'cannot keep a container\'s last log as its previous one; the new run appends to it');
    return;
  }
  const dir = path.dirname(logPath);
  const rotated = new RegExp(`^${path.basename(logPath).replace(/\./g, '\\.')}\\.\\d+$`);
  for (const f of (await readdir(dir).catch(() => [] as string[])).filter((f) => rotated.test(f))) {
    await rm(path.join(dir, f), { force: true }).catch(() => {});
  }
}

/** Where the last `lines` lines of file begin (an unfinished last line counts as one); 0 if it
 * has fewer, its size for 0 lines. Read backwards, a chunk at a time: a 1 GiB log costs 64 KiB. */
export async function tailOffset(file: string, lines: number): Promise<number> {
  const fh = await open(file, 'r').catch(() => undefined);
  if (!fh) return 0;
  try {
    const size = (await fh.stat()).size;
    if (lines <= 0) return size;
    const buf = Buffer.alloc(CHUNK);
    let seen = 0;
    let end = size;
    // The newline ending the last line opens no line: lines+1 newlines from the end (or the start).
    let last = true;
    while (end > 0) {
      const start = Math.max(0, end - CHUNK);
      const { bytesRead } = await fh.read(buf, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) {
          last = false;
          continue;
        }
        if (last) {
          last = false;
          continue;
        }
        if (++seen === lines) return start + i + 1;
      }
      end = start;
    }
    return 0;
  } finally {
    await fh.close();
  }
}
