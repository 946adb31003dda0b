// Pod IP allocation over the lease store: ipam.ts picks a free address (pure), the lease file
// makes it ours. The set of addresses in use is kept in memory so a pick needs no directory read.
import type { LeaseStore } from '../store/leases.js';
import { allocate, type Subnet } from './ipam.js';

export class IpAllocator {
  private readonly leased = new Set<string>();

  constructor(
    private readonly subnet: Subnet,
    private readonly leases: LeaseStore,
    /** Called when the subnet is full: true once something that held an address may have freed it. */
    private readonly whenFull: () => Promise<boolean> = async () => false,
  ) {}

  /**
   * The leases on disk at daemon start: none of them is handed out again. Nor is an address a pod
   * record names (`held`, the records' ip and uid): one whose lease is gone (deleted, or damaged and
   * removed as an orphan) has it made again. Returns those, each with the error if it could not
   * be written (the address stays taken in memory all the same).
   */
  async load<T extends { ip: string; uid: string }>(held: readonly T[] = []): Promise<{ held: T; err?: Error }[]> {
    for (const ip of await this.leases.list()) this.leased.add(ip);
    const remade: { held: T; err?: Error }[] = [];
    for (const h of held) {
      if (!h.ip || this.leased.has(h.ip)) continue;
      this.leased.add(h.ip);
      try {
        if (!(await this.leases.acquire(h.ip, h.uid))) continue; // made meanwhile: taken all the same
        await this.leases.durable(h.ip);
        remade.push({ held: h });
      } catch (err) {
        remade.push({ held: h, err: err as Error });
      }
    }
    return remade;
  }

  async allocate(owner: string): Promise<string> {
    for (;;) {
      let ip: string;
      try {
        ip = allocate(this.subnet, this.leased);
      } catch (err) {
        if (await this.whenFull()) continue; // a removed pod's address, free once its teardown is done
        throw err;
      }
      this.leased.add(ip);
      let acquired: boolean;
      try {
        acquired = await this.leases.acquire(ip, owner);
      } catch (err) {
        this.leased.delete(ip);
        throw err;
      }
      if (acquired) return ip;
      // A lease file we did not know of (another daemon's?): leave it taken and try the next.
    }
  }

  /** ip's lease is on the disk, not only claimed (store/leases.ts): awaited before a create answers. */
  durable(ip: string): Promise<void> {
    return this.leases.durable(ip);
  }

  /** owner: another pod's lease of ip stays, and so does the address (store/leases.ts). */
  async release(ip: string, owner?: string): Promise<void> {
    if (await this.leases.release(ip, owner)) this.leased.delete(ip);
  }
}
