// A container's log file, as every runtime opens it for the container's stdout and stderr.
import { constants as fs, openSync } from 'node:fs';

/**
 * Appending, created 0600, never through a symlink: the app's output would land wherever it
 * points, written as root. Synchronous (microseconds): nothing awaits between it, the spawn and
 * the caller recording the process.
 */
export function openContainerLog(file: string): number {
  return openSync(file, fs.O_WRONLY | fs.O_APPEND | fs.O_CREAT | fs.O_NOFOLLOW, 0o600);
}
