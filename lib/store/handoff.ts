// A restart's handoff (issue 13): the daemon that goes vouches for the record texts it wrote, or read
// back exactly as the schema gives them; the one that comes skips the schema check of a record whose
// file is still that very text. zod's check of 50 records was 45-60 ms of a restart, in a fresh
// process. The vouch is the going daemon's word, given over its API (root only) in its `/shutdown`
// answer and passed on by `node restart` over the ready socket (ready-notify.ts): never read back
// from the state dir, which the coming daemon trusts no more than before. It holds only between
// daemons of one build (BUILD): another build may check records differently. Every other check of a
// record (argv, paths, addresses: record-check.ts) runs as before.
import { createHash } from 'node:crypto';

/** What the going daemon says: its build, and per record key the SHA-256 of the text on disk. */
export interface Handoff {
  build: string;
  records: Record<string, string>;
}

/** SHA-256 of a record's text: what a vouch names, and what the store compares before a write. */
export const digestText = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Set by scripts/bundle.js: a hash of the sources the bundle was made from. */
declare const __MINIPOD_BUILD__: string | undefined;

/**
 * This daemon's build: a SHA-256 of every source and the locked packages its bundle was made from
 * (scripts/bundle.js writes it into the code), so it names the code that runs, whatever happens to
 * the files since. Undefined in tsc's ES modules (which the tests import): such a daemon neither
 * vouches nor takes a vouch.
 */
export const BUILD: string | undefined = typeof __MINIPOD_BUILD__ === 'string' ? __MINIPOD_BUILD__ : undefined;

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
