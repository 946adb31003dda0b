// Two valid records naming one address: the pod its lease names keeps it, else the one created
// first, then by key; the others are refused with why. A record without an address (Stopped,
// hostNetwork) claims none.
import test from 'ava';
import { oneAddressEach } from '../../../lib/pod/one-address.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { validRecord } from '../../helpers/record.js';

const rec = (name: string, uid: string, ip: string, createdAt: string): PodRecord => ({ ...validRecord('/state', name), uid, ip, createdAt });
const a = rec('a', 'uid-of-a-aaaaaaaaaaaa', '10.88.0.2', '2024-01-02T00:00:00.000Z');
const b = rec('b', 'uid-of-b-bbbbbbbbbbbb', '10.88.0.2', '2024-01-01T00:00:00.000Z');
const c = rec('c', 'uid-of-c-cccccccccccc', '10.88.0.3', '2024-01-01T00:00:00.000Z');

test('the pod the lease names keeps the address, though created later; the others are refused naming it', (t) => {
  const asked: string[] = [];
  const { kept, refused } = oneAddressEach([a, b, c], (ip) => (asked.push(ip), a.uid));
  t.deepEqual(kept.map((r) => r.name), ['a', 'c']);
  t.deepEqual(refused.map((x) => [x.record.name, x.issue]), [['b', "ip: 10.88.0.2 is pod a's (its lease names it): one address is one pod's"]]);
  t.deepEqual(asked, ['10.88.0.2'], 'a lease is read only for an address two records name');
});

test('no lease naming either: the one created first keeps it, then by name; a record without an address claims none', (t) => {
  const twin = { ...a, name: 'a2', uid: 'uid-of-a2-aaaaaaaaaaa' };
  const stopped = { ...c, name: 'stopped', ip: '' };
  const hostNet = { ...c, name: 'host', ip: '' };
  const { kept, refused } = oneAddressEach([twin, a, b, stopped, hostNet], () => undefined);
  t.deepEqual(kept.map((r) => r.name), ['b', 'stopped', 'host']);
  t.deepEqual(refused.map((x) => x.record.name).sort(), ['a', 'a2']);
  t.regex(refused[0]!.issue, /is pod b's \(no lease names either, and it was created first\)/);
  t.deepEqual((oneAddressEach([twin, a], () => undefined)).kept.map((r) => r.name), ['a'], 'created together: by name');
});
