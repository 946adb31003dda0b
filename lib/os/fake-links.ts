// The fake host's links (fake.ts): what `ip -batch` made on the host (a bridge port, with its
// master) and, for a veth, the network namespace of its peer. As the kernel does, a veth goes
// with its peer's namespace once no process and no pin holds that any more; /proc/self/net/dev
// lists what is left.
import type { FakeHost } from './fake.js';

/** One `ip -batch` line's effect on the host's links: `link add NAME master BR … [netns PID]`, `link set NAME nomaster` (kept, with no master: ''), `link del NAME`. */
export function ipLinkLine(host: FakeHost, line: string): void {
  const [obj, verb, name, ...rest] = line.split(' ');
  if (obj !== 'link') return;
  if (verb === 'add' && rest[0] === 'master') host.links.set(name!, rest[1]!);
  if (verb === 'set' && rest[0] === 'nomaster' && host.links.has(name!)) host.links.set(name!, '');
  const peer = verb === 'add' && rest.includes('netns') ? host.procLinkSync(Number(rest[rest.indexOf('netns') + 1]), 'ns/net') : undefined;
  if (peer) host.linkPeers.set(name!, peer);
  if (verb === 'del') host.links.delete(name!) && host.linkPeers.delete(name!);
}

/** As the kernel: a veth whose peer's network namespace has no process left in it, and no pin, goes with it. */
export function freeLinks(host: FakeHost): void {
  for (const [name, ns] of host.linkPeers) {
    if ([...host.procs.values()].some((q) => q.state !== 'Z' && q.ns.net === ns) || [...host.pins].some((pin) => pin.ns === ns)) continue;
    host.linkPeers.delete(name);
    if (host.links.delete(name)) host.journal.push(`kernel frees veth ${name}`);
  }
}

/** /proc/self/net/dev: lo and the host's links (the two header lines, then one per interface). */
export function netDev(host: FakeHost): string {
  return `header\nheader\n${['lo', ...host.links.keys()].map((l) => `  ${l}: 0 0\n`).join('')}`;
}
