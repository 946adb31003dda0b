// A cluster's numbering (node/cluster.ts), light so that node.json's check can use it: node N of
// a cluster has pods in 10.88.N.0/24 and the address 192.0.2.(10+N) on the shared underlay.

/** A node's place in a cluster (node/cluster.ts): the cluster's directory (its outside), its number, how many nodes. */
export interface Member {
  dir: string;
  index: number;
  size: number;
}

/** The pod subnet of cluster node N, and the cluster's pod CIDR (reached without NAT). */
export const CLUSTER_CIDR = '10.88.0.0/16';
/** Underlay addresses .11 to .10+MAX_NODES. */
export const MAX_NODES = 50;
export const memberSubnet = (index: number) => `10.88.${index}.0/24`;
/** A node's address on the underlay: .10 alone, .10+N as cluster node N. */
export const memberAddr = (index: number) => `192.0.2.${10 + index}`;

/** What a member's pods reach without NAT: every pod of the cluster, and every other node (Kubernetes' rules). */
export const nonMasquerade = (m: Member) => [CLUSTER_CIDR, ...Array.from({ length: m.size }, (_, i) => i + 1).filter((i) => i !== m.index).map((i) => `${memberAddr(i)}/32`)];
