// IP leases on disk, one file per address (as CNI host-local keeps them), created exclusively
// and fsynced, so a restarted daemon never hands out an address that is in use.
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { diskError } from './persist.js';

export class LeaseStore {
  readonly dir: string;

  constructor(private readonly stateDir: string) {
    this.dir = path.join(stateDir, 'leases');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async list(): Promise<string[]> {
    return (await readdir(this.dir)).filter((f) => !f.startsWith('.'));
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
      await fh.writeFile(`${owner}\n`);
      await fh.sync();
    } catch (err) {
      await fh.close();
      await this.release(ip); // an empty lease would hold the address forever
      throw diskError(err, path.join(this.dir, ip), this.stateDir);
    }
    await fh.close();
    return true;
  }

  /** The pod uid a lease names ('' for a lease whose write was cut short), or undefined if none. */
  async owner(ip: string): Promise<string | undefined> {
    return readFile(path.join(this.dir, ip), 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    );
  }

  /** Idempotent. */
  async release(ip: string): Promise<void> {
    await rm(path.join(this.dir, ip), { force: true });
  }
}
