// kubectl's port-forward arguments: `8080:80`, `80` (the same port on both sides), `:80` (a free
// local port, printed), and --address (localhost or IP addresses, comma-separated).
import net from 'node:net';
import { MinipodError } from '../lib/errors.js';

export interface PortPair {
  /** 0: a free port, chosen when the listener opens. */
  local: number;
  remote: number;
}

const FORMS = 'expected [LOCAL:]REMOTE, such as 8080:80, 80 or :80';

function portNumber(text: string, spec: string, side: 'local' | 'remote'): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  const min = side === 'local' ? 0 : 1;
  if (!(n >= min && n <= 65535)) throw new MinipodError('INVALID_ARGUMENT', `port "${spec}": ${side} port "${text}" is not a port number (${min}-65535); ${FORMS}`);
  return n;
}

/** One argument as a pair; a bad one is an error naming it. */
export function parsePortSpec(spec: string): PortPair {
  const parts = spec.split(':');
  if (parts.length > 2 || !parts[parts.length - 1]) throw new MinipodError('INVALID_ARGUMENT', `port "${spec}": ${FORMS}`);
  const remote = portNumber(parts[parts.length - 1]!, spec, 'remote');
  if (parts.length === 1) return { local: remote, remote };
  return { local: parts[0] === '' ? 0 : portNumber(parts[0]!, spec, 'local'), remote };
}

/** Every argument; a local port given twice is an error (the second listener could never open). */
export function parsePortSpecs(specs: readonly string[]): PortPair[] {
  if (!specs.length) throw new MinipodError('INVALID_ARGUMENT', `give at least one port: ${FORMS}`);
  const pairs = specs.map(parsePortSpec);
  const seen = new Set<number>();
  for (const p of pairs) {
    if (p.local !== 0 && seen.has(p.local)) throw new MinipodError('INVALID_ARGUMENT', `local port ${p.local} is given twice: each mapping needs its own local port`);
    seen.add(p.local);
  }
  return pairs;
}

/** --address: `localhost` is 127.0.0.1 (as kubectl's default prints it); others must be IP addresses. */
export function parseAddresses(value: string): string[] {
  const list = value.split(',').map((a) => a.trim()).filter(Boolean);
  if (!list.length) throw new MinipodError('INVALID_ARGUMENT', '--address needs localhost or IP addresses, comma-separated');
  const ips = list.map((a) => {
    if (a === 'localhost') return '127.0.0.1';
    if (net.isIP(a)) return a;
    throw new MinipodError('INVALID_ARGUMENT', `--address ${a}: give localhost or an IP address of the node, such as 127.0.0.1 or 0.0.0.0`);
  });
  return [...new Set(ips)];
}

/** `127.0.0.1:8080`, `[::1]:8080`: how kubectl prints a listener. */
export const hostPort = (address: string, port: number): string => `${address.includes(':') ? `[${address}]` : address}:${port}`;
