// The node's bridge: created once with the gateway address; pods' host-side veths attach to it.
import type { IpBatch } from '../os/ip-batch.js';
import { run } from '../os/host.js';
import { macFor, type Subnet } from './ipam.js';

export async function bridgeExists(ip: IpBatch, name: string): Promise<boolean> {
  return (await ip.exec([`link show dev ${name}`])).length === 0;
}

/**
 * Ensure the bridge exists, is up and holds the gateway address. The MAC is pinned: a bridge
 * otherwise takes the lowest port MAC, so the gateway's MAC would change as pods come and go.
 */
export async function ensureBridge(ip: IpBatch, name: string, subnet: Subnet): Promise<void> {
  const lines = (await bridgeExists(ip, name)) ? [] : [`link add ${name} address ${macFor(subnet.gateway)} type bridge`];
  lines.push(`addr replace ${subnet.gateway}/${subnet.prefix} dev ${name}`, `link set ${name} up`);
  await ip.run(lines);
}

/** Names of the links attached to the bridge (the host ends of pod veths). */
export async function bridgePorts(ip: IpBatch, name: string): Promise<string[]> {
  const out = await run([ip.ipPath, '-o', 'link', 'show', 'master', name]).catch(() => '');
  return out.split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.split('@')[0]!);
}
