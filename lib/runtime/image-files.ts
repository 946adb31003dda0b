// Looking a program up inside an image before anything is created, as a container's execve would
// find it: through the layers, highest first, where an overlayfs whiteout (a 0/0 character device)
// hides what lower layers have. A command missing from the image is then a clear error at create,
// not a container that fails at every start.
import { lstat } from 'node:fs/promises';
import path from 'node:path';

/** The entry at `file` (absolute, inside the image) in the highest layer that has it: present, or hidden by a whiteout. */
async function inLayers(layerDirs: readonly string[], file: string): Promise<boolean> {
  for (const layer of [...layerDirs].reverse()) {
    const st = await lstat(path.join(layer, file)).catch(() => undefined);
    if (!st) continue;
    return !(st.isCharacterDevice() && st.rdev === 0); // a whiteout: deleted in this layer
  }
  return false;
}

/** Where `command` resolves in the image (execvp's rules, PATH and cwd inside it), or undefined. */
export async function findInImage(command: string, pathEnv: string, cwd: string, layerDirs: readonly string[]): Promise<string | undefined> {
  const candidates = command.includes('/') ? [path.posix.resolve(cwd, command)] : pathEnv.split(':').filter((d) => d.startsWith('/')).map((d) => path.posix.join(d, command));
  for (const file of candidates) if (await inLayers(layerDirs, file)) return file;
  return undefined;
}
