// A small file's text: a lease, a cgroup's pids.max, a /proc file, a registry entry. Read at once
// where the file is a few bytes no kernel lock stands behind (readFileIfAny), else on the thread
// pool (readText) without fs.promises' FileHandle and fstat, which cost a fresh process
// more CPU than open, read and close (100 reads of /proc/PID/cgroup in a fresh process: 24–30 ms
// against 14–23, measured here), and a restart reads one per process it adopts.
import { close, open, read, readFileSync } from 'node:fs';

export function readFileIfAny(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The file's text as UTF-8, read until its end (a /proc file comes a page at a time); rejects as fs.promises' readFile does. */
export function readText(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    open(file, 'r', (err, fd) => {
      if (err) return reject(err);
      let buf = Buffer.allocUnsafe(4096);
      let have = 0;
      const next = (): void =>
        read(fd, buf, have, buf.length - have, -1, (e, n) => {
          if (e || n === 0) {
            close(fd, () => {}); // answered meanwhile: a close of our own descriptor fails for no reason worth waiting for
            return e ? reject(e) : resolve(buf.toString('utf8', 0, have));
          }
          have += n;
          if (have === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
          next();
        });
      next();
    });
  });
}

/** readText, or undefined if the file cannot be read (gone, never there). */
export const readTextIfAny = (file: string): Promise<string | undefined> => readText(file).catch(() => undefined);
