// The copytruncate rotations this daemon makes (pod/log-rotation.ts), as `logs -f` needs them. A
// follower reads NAME.log from an offset; a rotation copies the old file's bytes [start, end) to
// NAME.log.1 (the copies before it moving up to .2, .3…) and truncates NAME.log, so a read under
// way, or the next one, would take the new content at stale offsets: lines out of order, twice, or
// never. A follower that finds the count changed reads the rest of what it was reading from the
// copies, then NAME.log again from 0.

/** What one rotation copied of the old file: its bytes [start, end). */
export interface Copied {
  start: number;
  end: number;
}

export interface Rotations {
  /** How many times this daemon has rotated the file. */
  count: number;
  /** The last ones, newest first: copies[i] is what NAME.log.(i+1) holds while no other rotation came. */
  copies: Copied[];
  /** Settles when the rotation under way is done: a follower reads nothing meanwhile. */
  busy?: Promise<void>;
}

/** Rotations remembered per file: a follower further behind than this reads what it can. */
const KEPT = 16;

const made = new Map<string, Rotations>();

/**
 * A rotation of file begins (before its copies move up): a follower waits for it. The function
 * returned ends it, with what it copied (none: the copy failed, the old lines are lost).
 */
export function beginRotation(file: string): (copied?: Copied) => void {
  let done!: () => void;
  const before = made.get(file) ?? { count: 0, copies: [] };
  made.set(file, { ...before, busy: new Promise<void>((resolve) => (done = resolve)) });
  return (copied) => {
    made.set(file, { count: before.count + 1, copies: [copied ?? { start: 0, end: 0 }, ...before.copies].slice(0, KEPT) });
    done();
  };
}

export function rotationsOf(file: string): Rotations {
  return made.get(file) ?? { count: 0, copies: [] };
}

/** A pod's logs are gone (its removal): its files' entries go. A stopped container's stay, for a follower still reading. */
export function forgetRotationsUnder(dir: string): void {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  for (const file of made.keys()) if (file.startsWith(prefix)) made.delete(file);
}
