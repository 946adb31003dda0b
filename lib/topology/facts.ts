// What the kernel says about a node and its pods, as the daemon gathered it (gather.ts): the
// JSON of `ip -j -d addr` and `ip -j route` in the node and in each sandbox, /proc's namespace
// links, nft's table. Plain data with no behaviour, so model.ts is tested on facts written by hand.

/** One address of `ip -j addr`'s addr_info. */
export interface IpAddr {
  family: string; // inet, inet6
  local: string;
  prefixlen: number;
  scope?: string;
}

/** One interface of `ip -j -d addr` (the fields we read; ip prints many more). */
export interface IpLink {
  ifindex: number;
  ifname: string;
  /** The peer's ifindex when it is in another namespace (`@ifN`), with that namespace's nsid. */
  link_index?: number;
  link_netnsid?: number;
  /** The peer's name when it is in the same namespace (`stray0@stray1`). */
  link?: string;
  master?: string;
  address?: string;
  operstate?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: IpAddr[];
}

/** One route of `ip -j route`. */
export interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
}

/** A network namespace's interfaces and routes. */
export interface NetFacts {
  links: IpLink[];
  routes: IpRoute[];
}

/** A pod as its record says, and what the kernel shows for it. */
export interface PodFacts {
  name: string;
  phase: string;
  record: {
    ip: string;
    prefix: number;
    mac: string;
    bridge: string;
    /** null: the pod has no sandbox (Stopped, Pending). */
    sandbox: { pid: number; netns: string; hostVeth: string } | null;
    /** Its sandbox is the node's own network namespace: no eth0, no veth (pod/host-network.ts). */
    hostNetwork?: boolean;
    /** The veth of a sandbox being built (create, recreate): on the bridge before the record has its sandbox. */
    buildingVeth?: string | null;
    containers: { name: string; pid: number | null; state: string }[];
  };
  kernel: {
    /** The network namespace of the recorded pause pid, if that very process still runs. */
    pauseNetns: string | null;
    /** Interfaces and routes inside the sandbox (entered through the pause); null if it could not be. */
    net: NetFacts | null;
    /** Each running container's pid's network namespace (null: no such process). */
    containers: { name: string; pid: number; netns: string | null }[];
  };
}

export interface TopologyFacts {
  node: { netns: string | null; bridge: string; net: NetFacts };
  pods: PodFacts[];
  /** Every pid in each namespace of interest (the pods' and their apps'), from one pass over /proc. */
  pids: Record<string, number[]>;
  /** `nft -j list table ip minipod` parsed; null when nft is missing or the table is not there. */
  nft: unknown;
}

/** The IPv4 addresses of a link, as ADDR/PREFIX. */
export const ipv4 = (l: IpLink | undefined): string[] => (l?.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);

/** The veth's peer ifindex: `@ifN` across namespaces, or the named peer's ifindex in the same one. */
export function peerIfindex(l: IpLink, sameNs: readonly IpLink[]): number | null {
  if (l.link_index !== undefined) return l.link_index;
  return sameNs.find((o) => l.link !== undefined && o.ifname === l.link)?.ifindex ?? null;
}

/** `ip -j -d -batch -` prints one JSON array per command: split them (addr show, then route show). */
export function parseIpBatch(stdout: string): NetFacts {
  const [links = [], routes = []] = stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown[]);
  return { links: links as IpLink[], routes: routes as IpRoute[] };
}
