// A file replaced atomically: the text goes to a temp file beside it (FILE.DIGITS, which every
// loader here drops after a crash), fsynced when asked, then renamed over it, so a crash leaves
// the old text or the new one. Five calls (open, write, fsync, close, rename). The package
// write-file-atomic, used before, also resolves the path, stats, chowns and chmods the file and
// registers an exit handler on each write: 1.5 ms against 0.4 ms here unsynced (README, "Benchmarks").
// Concurrent writes of one file are not ordered here: the stores' PersistQueue runs one per key.
import { open, rename } from 'node:fs/promises';
import { removeFile } from '../util/remove-file.js';

let written = 0;

export async function writeAtomic(file: string, text: string | Buffer, { mode = 0o600, fsync = true }: { mode?: number; fsync?: boolean } = {}): Promise<void> {
  const tmp = `${file}.${process.pid}${++written}`;
  const fh = await open(tmp, 'wx', mode);
  try {
    try {
      await fh.writeFile(text);
      if (fsync) await fh.sync();
    } catch (err) {
      await fh.close().catch(() => {}); // the write's error is the one that says what to do
      throw err;
    }
    await fh.close();
    await rename(tmp, file);
  } catch (err) {
    await removeFile(tmp);
    throw err;
  }
}
