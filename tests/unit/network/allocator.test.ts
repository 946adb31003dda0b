// IP allocation over the lease files: an address is handed out once, never one leased on disk.
import test, { type ExecutionContext } from 'ava';
import { IpAllocator } from '../../../lib/network/allocator.js';
import { parseSubnet } from '../../../lib/network/ipam.js';
import { LeaseStore } from '../../../lib/store/leases.js';
import { UID } from '../../helpers/record.js';
import { tempDir } from '../../helpers/temp.js';

async function tempLeases(t: ExecutionContext): Promise<LeaseStore> {
  const dir = await tempDir(t, 'minipod-alloc-');
  const leases = new LeaseStore(dir);
  await leases.init();
  return leases;
}

test('addresses are handed out in turn, each with its lease file', async (t) => {
  const leases = await tempLeases(t);
  const ips = new IpAllocator(parseSubnet('10.88.0.0/29'), leases);
  t.is(await ips.allocate(UID), '10.88.0.2');
  t.is(await ips.allocate(UID), '10.88.0.3');
  t.deepEqual((await leases.list()).sort(), ['10.88.0.2', '10.88.0.3']);
});

test('a lease loaded at start, or taken behind its back, is never handed out', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.2', UID);
  const ips = new IpAllocator(parseSubnet('10.88.0.0/29'), leases);
  await ips.load();
  await leases.acquire('10.88.0.3', UID); // not known to the allocator: its acquire fails, it moves on
  t.is(await ips.allocate(UID), '10.88.0.4');
});

test('an address a record names keeps its pod\'s lease: one gone is made again, and never handed out', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.3', UID);
  const ips = new IpAllocator(parseSubnet('10.88.0.0/29'), leases);
  const other = UID.replace(/^./, 'b');
  t.deepEqual(await ips.load([{ ip: '10.88.0.2', uid: other }, { ip: '10.88.0.3', uid: UID }, { ip: '', uid: UID }]), [{ held: { ip: '10.88.0.2', uid: other } }]);
  t.deepEqual((await leases.scan()).sort((a, b) => a.ip.localeCompare(b.ip)), [{ ip: '10.88.0.2', owner: other }, { ip: '10.88.0.3', owner: UID }]);
  t.is(await ips.allocate(UID), '10.88.0.4');
});

test('a released address is free again', async (t) => {
  const leases = await tempLeases(t);
  const ips = new IpAllocator(parseSubnet('10.88.0.0/29'), leases);
  const ip = await ips.allocate(UID);
  await ips.release(ip);
  t.deepEqual(await leases.list(), []);
  t.is(await ips.allocate(UID), ip);
});

test('a full subnet is an error that names it', async (t) => {
  const leases = await tempLeases(t);
  const ips = new IpAllocator(parseSubnet('10.88.0.0/30'), leases);
  await ips.allocate(UID);
  await t.throwsAsync(() => ips.allocate(UID), { message: /10\.88\.0\.0\/30/ });
});

test('a release for a pod the address is no longer leased to keeps it taken, on disk and in memory', async (t) => {
  const leases = await tempLeases(t);
  const ips = new IpAllocator(parseSubnet('10.88.0.0/29'), leases);
  const ip = await ips.allocate(UID);
  await ips.release(ip, 'another-pod-uid');
  t.deepEqual(await leases.list(), [ip]);
  t.not(await ips.allocate(UID), ip);
  await ips.release(ip, UID);
  t.false((await leases.list()).includes(ip));
});
