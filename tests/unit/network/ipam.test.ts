// IPAM is pure: subnets in, addresses out, no I/O.
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import ipaddr from 'ipaddr.js';
import { allocate, contains, FOUR_PART_IPV4, isPrivate, macFor, parseSubnet, sameNetwork } from '../../../lib/network/ipam.js';

const subnet16 = parseSubnet('10.88.0.0/16');

/** Every address from a.b.c.first to a.b.c.last, as strings. */
const range = (prefix: string, first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => `${prefix}${first + i}`);

test('parseSubnet normalises a host address to its network', (t) => {
  const s = parseSubnet('10.88.5.7/16');
  t.is(s.cidr, '10.88.0.0/16');
  t.is(s.network, '10.88.0.0');
  t.is(s.prefix, 16);
});

test('parseSubnet gives the bridge the first address', (t) => {
  t.is(subnet16.gateway, '10.88.0.1');
  t.is(parseSubnet('192.168.7.200/24').gateway, '192.168.7.1');
});

test('a /30 has exactly one pod address', (t) => {
  const s = parseSubnet('10.88.0.4/30');
  t.is(s.cidr, '10.88.0.4/30');
  t.is(s.gateway, '10.88.0.5');
  t.is(s.last - s.first, 0);
  t.is(allocate(s, new Set()), '10.88.0.6');
});

for (const cidr of ['10.88.0.0/31', '10.88.0.0/32']) {
  test(`parseSubnet rejects ${cidr}: no pod address left`, (t) => {
    const err = t.throws(() => parseSubnet(cidr), { instanceOf: MinipodError })!;
    t.is(err.code, 'INVALID_ARGUMENT');
    t.regex(err.message, /leaves no pod address/);
  });
}

for (const cidr of ['garbage', '10.88.0.0', '10.88.0.0/33', '10.88.0.0/-1', '', 'fd00::/64']) {
  test(`parseSubnet rejects ${JSON.stringify(cidr)} as not an IPv4 CIDR`, (t) => {
    const err = t.throws(() => parseSubnet(cidr), { instanceOf: MinipodError })!;
    t.is(err.code, 'INVALID_ARGUMENT');
    t.is(err.message, `--subnet ${cidr}: not an IPv4 CIDR such as 10.88.0.0/16`);
  });
}

test('allocate hands out the lowest address after the gateway', (t) => {
  t.is(allocate(subnet16, new Set()), '10.88.0.2');
});

test('allocate skips taken addresses', (t) => {
  t.is(allocate(subnet16, new Set(['10.88.0.2', '10.88.0.3', '10.88.0.5'])), '10.88.0.4');
});

test('allocate crosses an octet boundary', (t) => {
  const taken = new Set(range('10.88.0.', 2, 255));
  t.is(allocate(subnet16, taken), '10.88.1.0');
});

test('allocate never returns the network, gateway or broadcast address', (t) => {
  const s = parseSubnet('10.88.0.0/29');
  const handedOut: string[] = [];
  const taken = new Set<string>();
  for (;;) {
    let ip: string;
    try {
      ip = allocate(s, taken);
    } catch {
      break;
    }
    handedOut.push(ip);
    taken.add(ip);
  }
  t.deepEqual(handedOut, range('10.88.0.', 2, 6));
});

test('allocate throws EXHAUSTED naming the subnet when it is full', (t) => {
  const s = parseSubnet('10.88.0.0/29');
  const err = t.throws(() => allocate(s, new Set(range('10.88.0.', 2, 6))), { instanceOf: MinipodError })!;
  t.is(err.code, 'EXHAUSTED');
  t.true(err.message.startsWith('subnet 10.88.0.0/29 is exhausted'), err.message);
});

test('a released address is the next one handed out', (t) => {
  const taken = new Set(range('10.88.0.', 2, 10));
  taken.delete('10.88.0.4');
  t.is(allocate(subnet16, taken), '10.88.0.4');
});

test('contains accepts pod addresses only', (t) => {
  t.true(contains(subnet16, '10.88.0.2'));
  t.true(contains(subnet16, '10.88.255.254'));
  t.false(contains(subnet16, '10.88.0.0'), 'network');
  t.false(contains(subnet16, '10.88.0.1'), 'gateway');
  t.false(contains(subnet16, '10.88.255.255'), 'broadcast');
  t.false(contains(subnet16, '10.89.0.2'), 'outside');
  t.false(contains(subnet16, 'not-an-ip'));
});

test('macFor derives 0a:58 plus the four address bytes', (t) => {
  t.is(macFor('10.88.0.2'), '0a:58:0a:58:00:02');
  t.is(macFor('192.168.255.10'), '0a:58:c0:a8:ff:0a');
});

test('parseSubnet and contains take four-part decimal only (no octal or short forms)', (t) => {
  for (const cidr of ['010.88.0.0/16', '10.88/16', '10.88.0.0/7']) {
    t.is(t.throws(() => parseSubnet(cidr), { instanceOf: MinipodError })!.code, 'INVALID_ARGUMENT', cidr);
  }
  const subnet = parseSubnet('10.88.0.0/16');
  for (const ip of ['173539330', '10.88.2', '012.88.0.2']) t.false(contains(subnet, ip), ip);
});

test('FOUR_PART_IPV4 accepts what ipaddr.js isValidFourPartDecimal accepts, and nothing else', async (t) => {
  const ipaddr = (await import('ipaddr.js')).default;
  const samples = ['0.0.0.0', '10.88.0.2', '255.255.255.255', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4\n', '0x1.2.3.4', '1..3.4', '', '199.249.250.255', '300.0.0.1', '1e1.2.3.4', '10.88.0.2/16'];
  for (let a = 0; a < 300; a += 7) samples.push(`${a}.${(a * 3) % 301}.${a % 10}.${255 - (a % 256)}`);
  for (const s of samples) t.is(FOUR_PART_IPV4.test(s), ipaddr.IPv4.isValidFourPartDecimal(s), JSON.stringify(s));
});

test("isPrivate and sameNetwork answer as ipaddr.js's range() === 'private' and match() do, at every edge", (t) => {
  const edges = ['9.255.255.255', '10.0.0.0', '10.255.255.255', '11.0.0.0', '172.15.255.255', '172.16.0.0', '172.31.255.255', '172.32.0.0', '192.167.255.255', '192.168.0.0', '192.168.255.255', '192.169.0.0', '0.0.0.0', '255.255.255.255', '100.64.0.1'];
  for (const ip of edges) t.is(isPrivate(ip), ipaddr.IPv4.parse(ip).range() === 'private', ip);
  for (const prefix of [0, 1, 8, 12, 16, 23, 24, 30, 31, 32]) {
    for (const [a, b] of [['10.88.0.2', '10.88.0.1'], ['10.88.1.2', '10.88.0.1'], ['192.168.7.9', '10.88.0.1'], ['255.255.255.255', '255.255.255.254']] as const) {
      t.is(sameNetwork(a, b, prefix), ipaddr.IPv4.parse(a).match(ipaddr.IPv4.parse(b), prefix), `${a} ${b}/${prefix}`);
    }
  }
  t.false(isPrivate('010.0.0.1'), 'not a four-part decimal address: not taken for one');
  t.false(sameNetwork('10.88.0.2', 'x', 8));
});
