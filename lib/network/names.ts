// Kernel interface names are at most 15 bytes: derive them from short random ids, never from
// pod names, and record them in the pod's state. Each sandbox generation gets a fresh name so a
// new veth never waits for the old one's asynchronous teardown.
import { customAlphabet } from 'nanoid';
import { MinipodError } from '../errors.js';

const id = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);

/** Host-side veth name: "mp" + 10 chars = 12 bytes. */
export function newHostVethName(): string {
  return `mp${id()}`;
}

/** A bridge name the kernel and iproute2 take as a name, not an option or a special device. */
export function checkBridgeName(name: string, flag = '--bridge'): string {
  const fix = 'give 1-15 of a-z A-Z 0-9 _ . -, not starting with "-", such as minipod0';
  if (!BRIDGE_NAME.test(name) || name.startsWith('-') || name === '.' || name === '..') throw new MinipodError('INVALID_ARGUMENT', `${flag} ${JSON.stringify(name)}: not a valid interface name: ${fix}`);
  if (['lo', 'all', 'default', POD_IFNAME].includes(name)) throw new MinipodError('INVALID_ARGUMENT', `${flag} ${name}: reserved (${name === 'lo' ? 'the loopback device' : name === POD_IFNAME ? "the pods' own interface name" : 'a name the kernel uses in /proc/sys/net'}): ${fix}`);
  return name;
}

export const POD_IFNAME = 'eth0';
/** The daemon's --bridge when none is given. */
export const DEFAULT_BRIDGE = 'minipod0';
export const HOST_VETH_PREFIX = 'mp';
/** A host veth name as newHostVethName makes it. */
export const HOST_VETH = /^mp[0-9a-z]{10}$/;
/** What minipod accepts as a bridge name (--bridge): 1-15 of a-z A-Z 0-9 _ . - */
export const BRIDGE_NAME = /^[a-zA-Z0-9_.-]{1,15}$/;
