// A small file's text read with one synchronous call (a lease, a cgroup's pids.max, a process's own /proc field: a few bytes,
// where fs.promises' readFile is four trips to the thread pool), or undefined if it cannot be read.
import { readFileSync } from 'node:fs';

export function readFileIfAny(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
