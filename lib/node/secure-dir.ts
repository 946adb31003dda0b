// Directories and files root writes to on behalf of a node (or a daemon's state and run dirs).
// Root must never follow a path a local user controls: a user who can create the directory first
// (any /tmp path), or plant a symlink in it, would make root overwrite any file or run a forged
// record. So every directory on the way must be root's and not writable by others (a sticky,
// world-writable ancestor such as /tmp is fine: nobody can rename or replace root's entries in it),
// what is missing is created 0700 one level at a time, and files are opened without following
// symlinks (O_NOFOLLOW) and created exclusively (O_EXCL) before being renamed into place.
import { constants as fs, closeSync, fstatSync, openSync } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { MinipodError } from '../errors.js';

const refuse = (p: string, why: string, fix: string) => new MinipodError('INVALID_ARGUMENT', `${p} ${why}: anyone who controls it could make root write or run what they choose; ${fix}`);

/**
 * Make dir safe to use as root (create it 0700 if missing) and return its real path. Throws,
 * changing nothing it did not create, if it or a directory above it is not root's or is writable
 * by others.
 */
export async function secureDir(dir: string): Promise<string> {
  let cur = '/';
  const parts = path.resolve(dir).split('/').filter(Boolean);
  for (const [i, part] of parts.entries()) {
    const next = path.join(cur, part);
    const last = i === parts.length - 1;
    let st = await lstat(next).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    if (!st) {
      await mkdir(next, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? undefined : Promise.reject(err)));
      st = await lstat(next); // ours, or whoever won the race: checked below either way
    }
    if (st.isSymbolicLink()) {
      // A symlink in a trusted directory is root's choice (/var/run → /run); its target is checked.
      if (st.uid !== 0) throw refuse(next, `is a symlink owned by uid ${st.uid}`, `remove it or choose another directory`);
      cur = await secureDir(await realpath(next));
      continue;
    }
    if (!st.isDirectory()) throw new MinipodError('INVALID_ARGUMENT', `${next} is not a directory: choose another directory`);
    if (st.uid !== 0) throw refuse(next, `is owned by uid ${st.uid}, not root`, `remove it (\`rm -r ${next}\`) or choose another directory`);
    const othersWrite = (st.mode & 0o022) !== 0;
    if (othersWrite && (last || !(st.mode & 0o1000) /* sticky */)) throw refuse(next, `is writable by ${st.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`, `\`chmod go-w ${next}\` or choose another directory`);
    cur = next;
  }
  return cur;
}

/** A file's text, read without following a symlink; undefined if there is none. Only root's regular files count. */
export async function readPrivate(file: string): Promise<string | undefined> {
  const fh = await open(file, fs.O_RDONLY | fs.O_NOFOLLOW | fs.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    if (err.code === 'ELOOP') throw new MinipodError('INVALID_ARGUMENT', `${file} is a symlink: refusing to follow it (remove it)`);
    throw err;
  });
  if (!fh) return undefined;
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.uid !== 0) throw new MinipodError('INVALID_ARGUMENT', `${file} is not a regular file owned by root: refusing to trust it (remove it)`);
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** Replace file with text, atomically: a new 0600 file (O_EXCL, O_NOFOLLOW) renamed over it. */
export async function writePrivate(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fh = await open(tmp, fs.O_WRONLY | fs.O_CREAT | fs.O_EXCL | fs.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  await rename(tmp, file).catch(async (err) => {
    await rm(tmp, { force: true });
    throw err;
  });
}

/** A descriptor appending to file (a log), created 0600; never a symlink, never somebody else's file. */
export function openAppend(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, fs.O_WRONLY | fs.O_APPEND | fs.O_CREAT | fs.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new MinipodError('INVALID_ARGUMENT', `${file} is a symlink: refusing to follow it (remove it)`);
    throw err;
  }
  const st = fstatSync(fd);
  if (!st.isFile() || st.uid !== 0) {
    closeSync(fd);
    throw new MinipodError('INVALID_ARGUMENT', `${file} is not a regular file owned by root: refusing to write to it (remove it)`);
  }
  return fd;
}

