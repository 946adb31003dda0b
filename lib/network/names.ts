// Kernel interface names are at most 15 bytes: derive them from short random ids, never from
// pod names, and record them in the pod's state. Each sandbox generation gets a fresh name so a
// new veth never waits for the old one's asynchronous teardown.
import { customAlphabet } from 'nanoid';

const id = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);

/** Host-side veth name: "mp" + 10 chars = 12 bytes. */
export function newHostVethName(): string {
  return `mp${id()}`;
}

export const POD_IFNAME = 'eth0';
export const HOST_VETH_PREFIX = 'mp';
/** A host veth name as newHostVethName makes it. */
export const HOST_VETH = /^mp[0-9a-z]{10}$/;
/** What minipod accepts as a bridge name (--bridge): 1-15 of a-z A-Z 0-9 _ . - */
export const BRIDGE_NAME = /^[a-zA-Z0-9_.-]{1,15}$/;
