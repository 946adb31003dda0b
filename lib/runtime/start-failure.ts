// A command an OCI runtime could not start in a container (`runc exec`, `crun exec`): exit 127 for
// one not found, 126 for one found but not executable, as podman and docker exec give them. The
// runtime exits 255 (runc) or 1 (crun) for its own failure, codes a command may exit with too: its
// JSON log (--log, --log-format json) tells the two apart. Its message has gone to stderr already.
import { readFile } from 'node:fs/promises';

/** The runtime's log, in the exec's private directory. */
export const RUNTIME_LOG = 'runtime.log';
/** What runc (255) and crun (1) exit with when they could not start the command. */
export const RUNTIME_FAILED: readonly number[] = [255, 1];

/** 127 or 126 for a command the runtime could not start, as its log says; undefined if the log says neither (the command's own exit). */
export async function startFailure(log: string): Promise<number | undefined> {
  const errors = (await readFile(log, 'utf8').catch(() => ''))
    .split('\n')
    .flatMap((line) => {
      try {
        const e = JSON.parse(line) as { level?: string; msg?: string };
        return e.level === 'error' && e.msg ? [e.msg] : [];
      } catch {
        return [];
      }
    });
  if (errors.some((m) => /not found|no such file or directory/i.test(m))) return 127;
  if (errors.some((m) => /permission denied|exec format error|is a directory/i.test(m))) return 126;
  return undefined;
}
