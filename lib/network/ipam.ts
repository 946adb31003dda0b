// Pod IP allocation from the node's subnet. Pure: the lease store tells it what is taken.
import ipaddr from 'ipaddr.js';
import { MinipodError } from '../errors.js';

export interface Subnet {
  cidr: string; // normalised, e.g. 10.88.0.0/16
  network: string;
  prefix: number;
  gateway: string; // first usable address, held by the bridge
  first: number; // first pod address as an integer
  last: number; // last pod address (broadcast excluded)
}

const toInt = (ip: string) => ipaddr.IPv4.parse(ip).toByteArray().reduce((n, b) => n * 256 + b, 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** The daemon's --subnet when none is given. */
export const DEFAULT_SUBNET = '10.88.0.0/16';

export function parseSubnet(cidr: string): Subnet {
  // Four-part decimal only: ipaddr.js would also read octal and short forms (010.88.0.0 = 8.88.0.0).
  if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) {
    throw new MinipodError('INVALID_ARGUMENT', `--subnet ${cidr}: not an IPv4 CIDR such as 10.88.0.0/16`);
  }
  const [addr, prefix] = ipaddr.IPv4.parseCIDR(cidr);
  if (prefix < 8) throw new MinipodError('INVALID_ARGUMENT', `--subnet ${cidr}: prefix /${prefix} is too large a range (use /8 or longer)`);
  if (prefix > 30) throw new MinipodError('INVALID_ARGUMENT', `--subnet ${cidr}: prefix /${prefix} leaves no pod address (use /30 or shorter)`);
  const size = 2 ** (32 - prefix);
  const base = toInt(addr.toString()) - (toInt(addr.toString()) % size);
  for (const n of [base, base + size - 1]) {
    const unusable = unusableRange(toIp(n));
    if (unusable) throw new MinipodError('INVALID_ARGUMENT', `--subnet ${cidr}: ${toIp(n)} is ${unusable}, which cannot hold pods: use a private range such as 10.88.0.0/16`);
  }
  return {
    cidr: `${toIp(base)}/${prefix}`,
    network: toIp(base),
    prefix,
    gateway: toIp(base + 1),
    first: base + 2,
    last: base + size - 2,
  };
}

/** Why an address cannot be a pod's or a bridge's, or undefined if it can. */
function unusableRange(ip: string): string | undefined {
  const range = ipaddr.IPv4.parse(ip).range();
  const why: Record<string, string> = {
    unspecified: 'in 0.0.0.0/8 ("this network")',
    loopback: 'loopback (127.0.0.0/8)',
    multicast: 'multicast (224.0.0.0/4)',
    linkLocal: 'link-local (169.254.0.0/16)',
    broadcast: 'the broadcast address',
  };
  if (why[range]) return why[range];
  if (toInt(ip) >= toInt('240.0.0.0')) return 'reserved (240.0.0.0/4)';
  return undefined;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
/**
 * An IPv4 address as pod addresses are written: four decimal parts of 0-255, no leading zero.
 * What ipaddr.js's isValidFourPartDecimal accepts, without its parser, which tries every IPv4
 * form first: a fifth of checking a pod record (a restart checks every one).
 */
export const FOUR_PART_IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/** A FOUR_PART_IPV4 address as an integer; NaN for any other string. */
const fourPartToInt = (ip: string) => (FOUR_PART_IPV4.test(ip) ? ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) : NaN);

/**
 * In 10/8, 172.16/12 or 192.168/16 (RFC 1918: ipaddr.js's "private" range), by integer: a record
 * check asks it of every pod's address and gateway, and ipaddr.js's parse and range lookup were
 * 2-4 ms of a restart's 50 records (issue 13, measured here).
 */
export function isPrivate(ip: string): boolean {
  const n = fourPartToInt(ip);
  return Math.floor(n / 2 ** 24) === 10 || Math.floor(n / 2 ** 20) === 0xac1 || Math.floor(n / 2 ** 16) === 0xc0a8;
}

/** a and b in one network of this prefix length (0-32); false if either is not a FOUR_PART_IPV4 address. */
export function sameNetwork(a: string, b: string, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  const [x, y] = [fourPartToInt(a), fourPartToInt(b)];
  return !Number.isNaN(x) && !Number.isNaN(y) && Math.floor(x / size) === Math.floor(y / size);
}

export function contains(subnet: Subnet, ip: string): boolean {
  const n = fourPartToInt(ip); // NaN, outside any subnet, for what is not a FOUR_PART_IPV4 address
  return n >= subnet.first && n <= subnet.last;
}

/** The lowest free pod address, so a released IP is the next one handed out. */
export function allocate(subnet: Subnet, taken: ReadonlySet<string>): string {
  for (let n = subnet.first; n <= subnet.last; n++) {
    const ip = toIp(n);
    if (!taken.has(ip)) return ip;
  }
  throw new MinipodError(
    'EXHAUSTED',
    `subnet ${subnet.cidr} is exhausted: all ${subnet.last - subnet.first + 1} pod addresses are leased; remove a pod or start the daemon with a larger --subnet`,
  );
}

/** A stable MAC derived from the IP (0a:58 + the four bytes, as Kubernetes bridges do), so a pod
 * that keeps its IP across sandboxes also keeps its MAC and neighbours' ARP caches stay right. */
export function macFor(ip: string): string {
  return ['0a', '58', ...ipaddr.IPv4.parse(ip).toByteArray().map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
