// The node's own address: what a hostNetwork pod's IP is (kubelet gives such a pod the node's IPs).
// The first global IPv4 of the link the node's default route leaves by (uplink0, in a node with an
// outside), as kubelet falls back to the default route's interface without --node-ip; with no
// default route, the pod bridge's gateway address, the one address every node has.
import { run } from '../os/host.js';

interface Route {
  dev?: string;
}
interface Link {
  addr_info?: { family?: string; local?: string; scope?: string }[];
}

const json = <T>(text: string): T[] => (text.trim() ? (JSON.parse(text) as T[]) : []);

export async function nodeAddress(ipPath: string, gateway: string): Promise<string> {
  const dev = json<Route>(await run([ipPath, '-j', '-4', 'route', 'show', 'default']).catch(() => ''))[0]?.dev;
  if (!dev) return gateway;
  const links = json<Link>(await run([ipPath, '-j', '-4', 'addr', 'show', 'dev', dev]).catch(() => ''));
  return links[0]?.addr_info?.find((a) => a.family === 'inet' && a.scope === 'global')?.local ?? gateway;
}
