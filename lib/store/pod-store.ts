// The state directory's pod records: one JSON file per pod, written atomically (write to a temp
// file, fsync, rename) so a crash leaves the old or the new record, never half of one. A record
// is checked before it is trusted (record-check.ts): one that fails is quarantined, never run.
// Teardown writes (persist, remove) never fail: what the disk refuses is retried until it takes it.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { writeAtomic } from './atomic-write.js';
import type { Subnet } from '../network/ipam.js';
import type { PodRecord } from '../pod/types.js';
import { keyOf } from '../manifest/pod-key.js';
import { checkRecord } from './record-check.js';
import { digestText } from './handoff.js';
import { diskError, PersistQueue } from './persist.js';
import { POD_RECORDS_DIR, quarantine, QUARANTINE_SUFFIX, REASON_SUFFIX, type Quarantined } from './quarantine.js';
import { removeFile } from '../util/remove-file.js';

export { QUARANTINE_SUFFIX, REASON_SUFFIX, type Quarantined } from './quarantine.js';

export class PodStore {
  readonly dir: string;
  /** Per key, a digest of the text known to be on disk: a write of the same text is skipped (a
   * restore that changed nothing costs no fsync; 50 of them were most of a daemon restart). */
  private readonly onDisk = new Map<string, string>();
  /** Per key, the SHA-256 of the file's text when it is one this daemon would write: what it vouches
   * for to the next one (handoff.ts). A text read back that is not (a default the schema fills in, a
   * value it rewrites: an older build's) is not vouched for, and the next daemon checks it whole. */
  private readonly texts = new Map<string, string>();

  /** subnet: the node's; a record's address in it is accepted even outside the private ranges. */
  constructor(
    private readonly stateDir: string,
    private readonly subnet?: Subnet,
    private readonly queue = new PersistQueue(),
  ) {
    this.dir = path.join(stateDir, POD_RECORDS_DIR);
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  /** The quarantined record of key (NAME.json.corrupt), if there is one: it keeps its name and logs until `gc --fix`. */
  quarantinedFile(key: string): string | undefined {
    const moved = `${this.file(key)}${QUARANTINE_SUFFIX}`;
    return existsSync(moved) ? moved : undefined;
  }

  /** Move a record that was read aside (a check across records failed: pod/one-address.ts); it is never run. */
  async quarantineRecord(r: PodRecord, issues: string[]): Promise<Quarantined> {
    const key = keyOf(r);
    this.onDisk.delete(key);
    this.texts.delete(key);
    return this.quarantine(this.file(key), issues);
  }

  /** key: the pod's (pod/key.ts), NAME in default, NS_NAME elsewhere. */
  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  /**
   * Write the record now or throw (a create: no record, no pod); a full disk says what to free.
   * `fsync: false`: written, not synced, for a step's record that a later, synced save replaces
   * before anyone is answered: a daemon that dies still finds it (the page cache survives a daemon).
   */
  async save(record: PodRecord, { fsync = true } = {}): Promise<void> {
    await this.queue.now(keyOf(record), () => this.write(record, fsync));
  }

  /**
   * Write the record now if the disk takes it, else keep it and retry until it does (the state
   * as it is then). For teardown and the supervisor: never throws; false if the write is pending.
   */
  persist(record: PodRecord): Promise<boolean> {
    return this.queue.later(keyOf(record), () => this.write(record));
  }

  async delete(name: string): Promise<void> {
    await this.queue.now(name, () => this.unlink(name));
  }

  /** delete, retried until it succeeds; a pending write of the record is dropped. Never throws. */
  remove(name: string): Promise<boolean> {
    return this.queue.later(name, () => this.unlink(name));
  }

  private async unlink(key: string): Promise<void> {
    this.onDisk.delete(key);
    this.texts.delete(key);
    await removeFile(this.file(key));
  }

  /** Names whose record on disk is behind the one in memory. */
  unsaved(): string[] {
    return this.queue.keys();
  }

  /** A last try of what is pending (daemon shutdown). */
  close(): Promise<void> {
    return this.queue.close();
  }

  private async write(record: PodRecord, fsync = true): Promise<void> {
    const key = keyOf(record);
    const file = this.file(key);
    const text = `${JSON.stringify(record, null, 2)}\n`;
    const sum = digestText(text);
    if (this.onDisk.get(key) === sum) return;
    this.onDisk.delete(key); // a write that fails midway leaves the old text or the new one
    this.texts.delete(key);
    await writeAtomic(file, text, { fsync }).catch((err: unknown) => {
      throw diskError(err, file, this.stateDir);
    });
    this.texts.set(key, sum);
    if (fsync) this.onDisk.set(key, sum); // an unsynced text is not skipped when asked for again, synced
  }

  /**
   * Every valid record; one that is not is moved aside (NAME.json.corrupt), logged and returned.
   * vouched: the digests the daemon this one replaces vouched for (handoff.ts): a file that is still
   * that text skips the schema check, and is counted in `vouched`.
   */
  async loadAll(vouched?: ReadonlyMap<string, string>): Promise<{ records: PodRecord[]; quarantined: Quarantined[]; vouched: number }> {
    const records: PodRecord[] = [];
    const quarantined: Quarantined[] = [];
    let taken = 0;
    // Read side by side (a restart reads every record before any pod is re-adopted), in order.
    const loaded = await Promise.all((await readdir(this.dir)).map((entry) => this.load(entry, vouched)));
    for (const l of loaded) {
      if (l && 'record' in l) records.push(l.record);
      else if (l) quarantined.push(l.quarantined);
      if (l && 'record' in l && l.vouched) taken++;
    }
    return { records, quarantined, vouched: taken };
  }

  /** Per key, the digest of the text this daemon wrote or checked: what it vouches for to the next one (handoff.ts). */
  vouch(): Record<string, string> {
    return Object.fromEntries(this.texts);
  }

  private async load(entry: string, vouched?: ReadonlyMap<string, string>): Promise<{ record: PodRecord; vouched: boolean } | { quarantined: Quarantined } | undefined> {
    // A write cut short by a crash leaves its temp file (NAME.json.<random>); the record it
    // was replacing is intact, so the temp file is dropped.
    if (/\.json\.\d+$/.test(entry)) await removeFile(path.join(this.dir, entry));
    if (!entry.endsWith('.json')) return undefined;
    const file = path.join(this.dir, entry);
    let value: unknown;
    let sum: string;
    try {
      // Read at once: a record is a few KiB on a local disk, and fs.promises' readFile is four trips
      // to the thread pool (open, fstat, read, close); a restart reads every record before it serves.
      const text = readFileSync(file, 'utf8');
      sum = digestText(text);
      value = JSON.parse(text);
    } catch (err) {
      return { quarantined: await this.quarantine(file, [`not a JSON pod record: ${(err as Error).message}`]) };
    }
    const trusted = vouched?.get(entry.slice(0, -'.json'.length)) === sum;
    const check = await checkRecord(value, { stateDir: this.stateDir, file: entry, subnet: this.subnet, shapeTrusted: trusted });
    if (!check.ok) return { quarantined: await this.quarantine(file, check.issues) };
    // As it will be written again: a restore that changed nothing then writes the same text, and is
    // skipped. A vouched text is one a daemon of this build would write (handoff.ts): as read, it is
    // the record the schema would give.
    this.onDisk.set(keyOf(check.record), trusted ? sum : digestText(`${JSON.stringify(check.record, null, 2)}\n`));
    // Vouched for in turn if the text is the record the schema gives, its keys' order aside: no
    // default left to fill in, nothing to rewrite.
    if (trusted || isDeepStrictEqual(check.record, value)) this.texts.set(keyOf(check.record), sum);
    return { record: check.record, vouched: trusted };
  }

  private quarantine(file: string, issues: string[]): Promise<Quarantined> {
    return quarantine(file, issues, 'pod');
  }

  /** Why a quarantined record was moved aside, if it says. */
  async quarantineReason(moved: string): Promise<string[] | undefined> {
    const text = await readFile(`${moved}${REASON_SUFFIX}`, 'utf8').catch(() => undefined);
    return text?.split('\n').filter(Boolean);
  }
}
