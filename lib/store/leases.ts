// IP leases on disk, one file per address (as CNI host-local keeps them), created exclusively
// and fsynced, so a restarted daemon never hands out an address that is in use.
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { diskError } from './persist.js';
import ipaddr from 'ipaddr.js';
import { POD_UID } from './record-schema.js';

/** What a lease file holds: its owner's uid and a newline. */
const leaseText = (owner: string) => `${owner}\n`;

/** A lease file: its owner's uid, or why it is not trusted. */
export type LeaseFile = { ip: string; owner: string } | { ip: string; problem: string };

/** Four-part decimal only, as pod addresses are written. */
export function isLeaseName(name: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(name);
}

export class LeaseStore {
  readonly dir: string;

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
      const text = await readFile(path.join(this.dir, name), 'utf8').catch(() => undefined);
      if (text === undefined) continue; // released meanwhile
      if (text === '') out.push({ ip: name, problem: 'a lease whose write was cut short' });
      else if (!text.endsWith('\n') || !POD_UID.test(text.slice(0, -1))) out.push({ ip: name, problem: `a malformed lease (${JSON.stringify(text.slice(0, 40))} is not a pod uid and a newline)` });
      else out.push({ ip: name, owner: text.trim() });
    }
    return out;
  }

  /** Take ip for owner; false when someone holds it already. */
  async acquire(ip: string, owner: string): Promise<boolean> {
    let fh;
    try {
      fh = await open(path.join(this.dir, ip), 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw diskError(err, path.join(this.dir, ip), this.stateDir);
    }
    try {
      await fh.writeFile(leaseText(owner));
      await fh.sync();
    } catch (err) {
      await fh.close();
      await this.release(ip); // an empty lease would hold the address forever
      throw diskError(err, path.join(this.dir, ip), this.stateDir);
    }
    await fh.close();
    return true;
  }

  /**
   * Idempotent. With owner: another pod's lease stays (false), so a release retried after a crash
   * (by a record that still names the address) never frees it from the pod it was handed to since.
   */
  async release(ip: string, owner?: string): Promise<boolean> {
    const file = path.join(this.dir, ip);
    if (owner !== undefined) {
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text !== undefined && text !== leaseText(owner)) return false;
    }
    await rm(file, { force: true });
    return true;
  }
}
