// Facts → the picture: the bridge and its ports, each veth pair matched end to end by ifindex
// (the host end's @ifN is the pod's eth0, whose @ifN is the host end), each sandbox with the
// pids in its namespace, the routes and NAT rules, and what does not fit (misfits.ts). Pure.
import { ipv4, peerIfindex, type IpLink, type IpRoute, type TopologyFacts } from './facts.js';
import { findMisfits, type Misfit } from './misfits.js';
import { natRules, type NatRule } from './nft.js';

export type { Misfit } from './misfits.js';
export type { NatRule } from './nft.js';

export interface LinkView {
  name: string;
  ifindex: number;
  /** The other end of a veth (`@ifN`); null for any other link. */
  peerIfindex: number | null;
  kind: string; // veth, bridge, loopback, …
  mac: string | null;
  addrs: string[];
  /** The pod whose eth0 is this veth's other end. */
  pod: string | null;
}

export interface BridgeView extends LinkView {
  ports: LinkView[];
}

export interface RouteView {
  dst: string;
  via: string | null;
  dev: string | null;
  src: string | null;
  proto: string | null;
}

export interface PodView {
  name: string;
  phase: string;
  /** What the kernel shows (the recorded pause's namespace); null when there is none. */
  netns: string | null;
  eth0: { ifindex: number; peerIfindex: number | null; addrs: string[]; mac: string | null } | null;
  /** The node end of the pod's veth, found by ifindex (not by the record's name). */
  hostVeth: string | null;
  /** The node end as the record names it (or the one being built). */
  recordedVeth: string | null;
  routes: RouteView[];
  pause: number | null;
  containers: { name: string; pid: number | null; netns: string | null }[];
  /** Other pids in the sandbox's namespace (an app's children, exec'd commands); none listed for a hostNetwork pod (the node's). */
  others: number[];
  /** Its namespace is the node's own (hostNetwork): no eth0 or veth expected. */
  hostNetwork: boolean;
}

export interface Topology {
  node: { netns: string | null; links: LinkView[] };
  bridges: BridgeView[];
  pods: PodView[];
  routes: RouteView[];
  rules: NatRule[];
  misfits: Misfit[];
}

const route = (r: IpRoute): RouteView => ({ dst: r.dst, via: r.gateway ?? null, dev: r.dev ?? null, src: r.prefsrc ?? null, proto: r.protocol ?? null });

function linkView(l: IpLink, sameNs: readonly IpLink[], pod: string | null = null): LinkView {
  const kind = l.linkinfo?.info_kind ?? (l.ifname === 'lo' ? 'loopback' : 'link');
  return { name: l.ifname, ifindex: l.ifindex, peerIfindex: kind === 'veth' ? peerIfindex(l, sameNs) : null, kind, mac: kind === 'loopback' ? null : l.address ?? null, addrs: ipv4(l), pod };
}

/** The sandbox's eth0 whose other end is node link `host` (each end names the other's ifindex). */
export const isPairOf = (eth0: IpLink, host: IpLink): boolean => eth0.link_index === host.ifindex && host.link_index === eth0.ifindex;

export function buildTopology(facts: TopologyFacts): Topology {
  const nodeLinks = facts.node.net.links;
  const eth0Of = (p: (typeof facts.pods)[number]) => p.kernel.net?.links.find((l) => l.ifname === 'eth0');
  const podOfHost = new Map<number, string>(); // node ifindex → the pod on its other end
  for (const p of facts.pods) {
    const eth0 = eth0Of(p);
    const host = eth0 && nodeLinks.find((h) => isPairOf(eth0, h));
    if (host) podOfHost.set(host.ifindex, p.name);
  }
  const view = (l: IpLink) => linkView(l, nodeLinks, podOfHost.get(l.ifindex) ?? null);
  const bridges = nodeLinks.filter((l) => l.linkinfo?.info_kind === 'bridge').map((b) => ({ ...view(b), ports: nodeLinks.filter((l) => l.master === b.ifname).map(view) }));
  const onBridge = new Set(bridges.flatMap((b) => [b.ifindex, ...b.ports.map((p) => p.ifindex)]));
  const pods = facts.pods.map((p): PodView => {
    const eth0 = eth0Of(p);
    const host = eth0 && nodeLinks.find((h) => isPairOf(eth0, h));
    const pause = p.kernel.pauseNetns ? p.record.sandbox!.pid : null;
    const mains = new Set([pause, ...p.kernel.containers.map((c) => c.pid)]);
    return {
      name: p.name,
      phase: p.phase,
      netns: p.kernel.pauseNetns,
      eth0: eth0 ? { ifindex: eth0.ifindex, peerIfindex: peerIfindex(eth0, []), addrs: ipv4(eth0), mac: eth0.address ?? null } : null,
      hostVeth: host?.ifname ?? null,
      recordedVeth: p.record.sandbox?.hostVeth ?? p.record.buildingVeth ?? null,
      routes: (p.kernel.net?.routes ?? []).map(route),
      pause,
      containers: p.record.containers.map((c) => {
        const k = p.kernel.containers.find((kc) => kc.name === c.name);
        return { name: c.name, pid: k?.netns ? k.pid : null, netns: k?.netns ?? null };
      }),
      others: (p.kernel.pauseNetns && !p.record.hostNetwork ? facts.pids[p.kernel.pauseNetns] ?? [] : []).filter((pid) => !mains.has(pid)).sort((a, b) => a - b),
      hostNetwork: p.record.hostNetwork === true,
    };
  });
  return {
    node: { netns: facts.node.netns, links: nodeLinks.filter((l) => !onBridge.has(l.ifindex)).map(view) },
    bridges,
    pods,
    routes: facts.node.net.routes.map(route),
    rules: natRules(facts.nft),
    misfits: findMisfits(facts, bridges, pods),
  };
}
