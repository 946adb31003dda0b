// A file that may be absent, removed: a pid file, a socket, a lease. fs.promises' rm({ force })
// does it through Node's rimraf, a module of its own that a fresh process compiles at its first
// call (3-6 ms of a `node restart`'s command, and again of its new daemon, measured here); unlink
// is the one system call a file needs. Not for a directory (EISDIR or EPERM, thrown).
import { unlink } from 'node:fs/promises';

export async function removeFile(file: string): Promise<void> {
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
