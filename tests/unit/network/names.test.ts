// Host veth names must fit the kernel's 15-byte IFNAMSIZ limit and never collide.
import test from 'ava';
import { HOST_VETH_PREFIX, newHostVethName } from '../../../lib/network/names.js';

test('a host veth name fits in 15 bytes', (t) => {
  t.true(Buffer.byteLength(newHostVethName()) <= 15);
});

test('a host veth name is "mp" and lowercase letters or digits', (t) => {
  const name = newHostVethName();
  t.true(name.startsWith(HOST_VETH_PREFIX));
  t.is(HOST_VETH_PREFIX, 'mp');
  t.regex(name, /^mp[a-z0-9]+$/);
});

test('10k host veth names are all unique and well formed', (t) => {
  const names = Array.from({ length: 10_000 }, newHostVethName);
  t.is(new Set(names).size, names.length);
  t.true(names.every((n) => /^mp[a-z0-9]+$/.test(n) && Buffer.byteLength(n) <= 15));
});
