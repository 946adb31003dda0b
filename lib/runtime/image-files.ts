// Looking a program up inside an image before anything is created, as a container's execve would
// find it: in the merged view of its layers, highest first, where an overlayfs whiteout (a 0/0
// character device) hides what lower layers have, and a symlink in a directory component (a
// merged-usr `sbin -> usr/sbin`) is followed inside the image, never on the host. A command
// missing from the image is then a clear error at create, not a container failing at every start.
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';

/** Symlinks followed in one lookup, as the kernel's own limit (ELOOP). */
const MAX_HOPS = 40;

/** The highest layer's entry at `file` (absolute, inside the image), or undefined if none has it or a whiteout hides it. */
async function top(layers: readonly string[], file: string): Promise<{ layer: string; st: Stats } | undefined> {
  for (const layer of layers) {
    const st = await lstat(path.join(layer, file)).catch(() => undefined);
    if (!st) continue;
    return st.isCharacterDevice() && st.rdev === 0 ? undefined : { layer, st };
  }
  return undefined;
}

/** Whether `file` exists in the merged image (the last component may itself be a symlink, as /bin/sh often is). */
async function exists(layers: readonly string[], file: string, hops = 0): Promise<boolean> {
  const parts = file.split('/').filter(Boolean);
  let dir = '/';
  for (const [i, part] of parts.entries()) {
    const here = path.posix.join(dir, part);
    const found = await top(layers, here);
    if (!found) return false;
    if (found.st.isSymbolicLink() && i < parts.length - 1) {
      if (hops >= MAX_HOPS) return false;
      const target = await readlink(path.join(found.layer, here));
      const resolved = path.posix.resolve(dir, target); // an absolute target is the image's root, not the host's
      return exists(layers, path.posix.join(resolved, ...parts.slice(i + 1)), hops + 1);
    }
    dir = here;
  }
  return true;
}

/** Where `command` resolves in the image (execvp's rules, PATH and cwd inside it), or undefined. */
export async function findInImage(command: string, pathEnv: string, cwd: string, layerDirs: readonly string[]): Promise<string | undefined> {
  const layers = [...layerDirs].reverse();
  const candidates = command.includes('/') ? [path.posix.resolve(cwd, command)] : pathEnv.split(':').filter((d) => d.startsWith('/')).map((d) => path.posix.join(d, command));
  for (const file of candidates) if (await exists(layers, file)) return file;
  return undefined;
}
