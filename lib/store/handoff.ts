// A restart's handoff (issue 13): the daemon that goes vouches for the record texts it wrote, the
// one that comes skips the schema check of a record whose file is still that very text. zod's check
// of 50 records was 45-60 ms of a restart, in a fresh process. The vouch is the going daemon's
// word, given over its API (root only) in its `/shutdown` answer and passed on by `node restart`
// over the ready socket (ready-notify.ts): never read back from the state dir, which the coming
// daemon trusts no more than before. It holds only between daemons of one build (the same daemon
// bundle, by its file's identity): another build may check records differently. Every other check
// of a record (argv, paths, addresses: record-check.ts) runs as before.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';

/** What the going daemon says: its build, and per record key the SHA-256 of the text on disk. */
export interface Handoff {
  build: string;
  records: Record<string, string>;
}

/** SHA-256 of a record's text: what a vouch names, and what the store compares before a write. */
export const digestText = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * This daemon's build: its code's file (device, inode, size, modification and change times, as
 * bin/require-cached.js stamps a code cache), taken once as it loads. A rebuild, or an edit, is
 * another. Undefined where the code has no file of its own (tsc's ES modules, which the tests
 * import): such a daemon neither vouches nor takes a vouch.
 */
export const BUILD: string | undefined = (() => {
  if (typeof __filename !== 'string') return undefined;
  try {
    const st = statSync(__filename, { bigint: true });
    return `${st.dev}:${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`;
  } catch {
    return undefined;
  }
})();

const DIGEST = /^[0-9a-f]{64}$/;

/** The record digests of a handoff text if it is well formed and of this very build; else undefined (every record checked whole). */
export function vouchedRecords(text: string | undefined, build = BUILD): ReadonlyMap<string, string> | undefined {
  if (!text || build === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const h = value as Partial<Handoff> | null;
  if (!h || typeof h !== 'object' || h.build !== build || !h.records || typeof h.records !== 'object') return undefined;
  const entries = Object.entries(h.records);
  return entries.every(([, d]) => typeof d === 'string' && DIGEST.test(d)) ? new Map(entries as [string, string][]) : undefined;
}
