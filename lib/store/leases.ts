// IP leases on disk, one file per address (as CNI host-local keeps them), created exclusively, so
// a restarted daemon never hands out an address that is in use. The exclusive create is the
// claim: a daemon that dies after it finds the file (the page cache survives a daemon). The
// owner's uid is written and fsynced (for a machine that loses power) in the background from then
// on; a create awaits that (`durable`) before it answers, with its record's fsync, so neither is
// on the way to a wired sandbox.
import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { diskError } from './persist.js';
import { FOUR_PART_IPV4 } from '../network/ipam.js';
import { POD_UID } from './record-schema.js';
import { readFileIfAny, readTextIfAny } from '../util/read-if-any.js';
import { removeFile } from '../util/remove-file.js';

/** The owner a lease's text names: a pod uid and a newline, nothing else. */
const ownerIn = (text: string): string | undefined => (text.endsWith('\n') && POD_UID.test(text.slice(0, -1)) ? text.slice(0, -1) : undefined);

/** What a lease file holds: its owner's uid and a newline. */
const leaseText = (owner: string) => `${owner}\n`;

/** A lease file: its owner's uid, or why it is not trusted. */
export type LeaseFile = { ip: string; owner: string } | { ip: string; problem: string };

/** Four-part decimal only, as pod addresses are written. */
export function isLeaseName(name: string): boolean {
  return FOUR_PART_IPV4.test(name);
}

export class LeaseStore {
  readonly dir: string;
  /** Per address, its owner's write and fsync under way (or failed), and whose it is. */
  private readonly syncing = new Map<string, { owner: string; written: Promise<void> }>();

  constructor(private readonly stateDir: string) {
    this.dir = path.join(stateDir, 'leases');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  /** The leased addresses; a file whose name is no IPv4 address is no lease (scan reports it). */
  async list(): Promise<string[]> {
    return (await readdir(this.dir)).filter(isLeaseName);
  }

  /** The uid ip's lease names; undefined without a lease, or one that names no pod uid. */
  owner(ip: string): string | undefined {
    const text = isLeaseName(ip) ? readFileIfAny(path.join(this.dir, ip)) : undefined;
    return text === undefined ? undefined : ownerIn(text);
  }

  /**
   * Every file here, each with its owner or what is wrong with it. A lease is "UID\n" (or empty:
   * its write was cut short); anything else is never trusted, only reported and removed.
   */
  async scan(): Promise<LeaseFile[]> {
    const out: LeaseFile[] = [];
    for (const name of await readdir(this.dir)) {
      if (name.startsWith('.')) continue;
      if (!isLeaseName(name)) {
        out.push({ ip: name, problem: 'not a lease: its name is not an IPv4 address' });
        continue;
      }
      // This daemon's own claim, its owner perhaps not written yet: the owner it was claimed for
      // (read, an empty file would pass for one a crash cut short: gc beside a create).
      const claimed = this.syncing.get(name);
      if (claimed) {
        out.push({ ip: name, owner: claimed.owner });
        continue;
      }
      const text = readFileIfAny(path.join(this.dir, name));
      if (text === undefined) continue; // released meanwhile
      if (text === '') out.push({ ip: name, problem: 'a lease whose write was cut short' });
      else {
        const owner = ownerIn(text);
        out.push(owner ? { ip: name, owner } : { ip: name, problem: `a malformed lease (${JSON.stringify(text.slice(0, 40))} is not a pod uid and a newline)` });
      }
    }
    return out;
  }

  /**
   * Take ip for owner; false when someone holds it already. The exclusive create is the claim;
   * the owner is written and synced in the background (`durable`): an empty lease, left by a
   * daemon killed in between, is reported by scan and removed as an orphan.
   */
  async acquire(ip: string, owner: string): Promise<boolean> {
    const file = path.join(this.dir, ip);
    let fh: FileHandle;
    try {
      fh = await open(file, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw diskError(err, file, this.stateDir);
    }
    const written = (async () => {
      try {
        await fh.writeFile(leaseText(owner));
        await fh.sync();
      } catch (err) {
        throw diskError(err, file, this.stateDir); // the create fails; its rollback releases the lease
      } finally {
        await fh.close().catch(() => {}); // the write's error, if any, is the one that says what to do
      }
    })();
    written.catch(() => {}); // reported by durable()
    this.syncing.set(ip, { owner, written });
    return true;
  }

  /** ip's lease is on the disk (its owner written and synced); rejects with the write's error. */
  async durable(ip: string): Promise<void> {
    const pending = this.syncing.get(ip);
    if (!pending) return;
    await pending.written;
    if (this.syncing.get(ip) === pending) this.syncing.delete(ip); // a failed write stays known to release
  }

  /**
   * Idempotent. With owner: another pod's lease stays (false), so a release retried after a crash
   * (by a record that still names the address) never frees it from the pod it was handed to since.
   */
  async release(ip: string, owner?: string): Promise<boolean> {
    const file = path.join(this.dir, ip);
    // The owner is written before it is compared; a lease whose owner's write failed holds no
    // owner to compare, and is the pod's that took it.
    const pending = this.syncing.get(ip);
    const unwritten = pending ? await pending.written.then(() => false, () => true) : false;
    if (owner !== undefined && !(unwritten && pending!.owner === owner)) {
      const text = await readTextIfAny(file);
      if (text !== undefined && text !== leaseText(owner)) return false;
    }
    await removeFile(file);
    this.syncing.delete(ip);
    return true;
  }
}
