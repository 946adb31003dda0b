// Byte quantities as kubelet's containerLogMaxSize takes them.
import test from 'ava';
import { parseQuantity } from '../../../lib/manifest/quantity.js';

test('plain bytes and binary and decimal suffixes', (t) => {
  t.is(parseQuantity('0'), 0);
  t.is(parseQuantity('16384'), 16384);
  t.is(parseQuantity('16Ki'), 16 * 1024);
  t.is(parseQuantity('10Mi'), 10 * 1024 * 1024);
  t.is(parseQuantity('2Gi'), 2 * 1024 ** 3);
  t.is(parseQuantity('100k'), 100_000);
  t.is(parseQuantity('10M'), 10_000_000);
  t.is(parseQuantity('1G'), 1e9);
  t.is(parseQuantity(' 5Mi '), 5 * 1024 * 1024);
});

test('anything else is not a quantity', (t) => {
  for (const bad of ['', 'Mi', '-1', '1.5Mi', '10mi', '10MB', '10 Mi', '1e6', '0x10', '10Ti', '99999999999999999999Gi']) t.is(parseQuantity(bad), undefined, bad);
});
