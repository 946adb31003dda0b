// The hostPort half of the node's `ip minipod` table (network/egress.ts writes the table whole):
// the two maps (network/hostports.ts fills them), the DNAT that looks them up, and what CNI's
// portmap adds so that every client reaches a hostPort, not only one on another machine:
//
// - From the node to 127.0.0.1:HOSTPORT (or localhost). The output chain DNATs it like any other
//   node address, but a packet from 127.0.0.0/8 may leave (and its reply come back) by a device
//   other than lo only with that device's route_localnet = 1: set on the bridge, in the node's own
//   network namespace. Its source is then masqueraded to the bridge address, as the pod could not
//   answer 127.0.0.1 (its own loopback). route_localnet would also let a pod reach the node's
//   loopback services by sending to 127.0.0.1 through the bridge (kube-proxy's CVE-2020-8558):
//   new connections to 127.0.0.0/8 from anywhere but lo are dropped.
// - Hairpin: a pod reaching its own hostPort (or another pod's on the same bridge) through a
//   node address. Without br_netfilter, the packet (sent to the gateway's MAC) goes up into the
//   node, is DNATed and routed back onto the bridge, which forwards it from its own port: no
//   hairpin there. Where br_netfilter is loaded (a module of the whole machine, which a node can
//   neither load nor unload; bridge-nf-call-iptables is then 1 by default in every namespace), the frame is
//   DNATed while it crosses the bridge and, to the same pod, must leave by the port it came in by:
//   pods' bridge ports are in hairpin mode for that (network/veth.ts). Either way the reply must
//   come back through the node's conntrack, which undoes the DNAT: a pod answering itself would
//   see its own address as the source (the kernel drops that as martian), and, without
//   br_netfilter, a pod answering another pod on the bridge would reply straight over the bridge,
//   from an address the client never called. So what the bridge's pods send that was DNATed here
//   and goes back out of the bridge is masqueraded to the bridge address. (portmap masquerades
//   only a pod to itself and counts on br_netfilter for the rest; a node cannot.)

export interface HostPortNet {
  /** The node's pod subnet, on `bridge`. */
  subnet: string;
  bridge: string;
}

export const LOCALNET = '127.0.0.0/8';

/** The sysctl route_localnet of the bridge (slashes: a bridge name may contain dots). */
export const routeLocalnet = (bridge: string) => `net/ipv4/conf/${bridge}/route_localnet`;

/** The maps, and the DNAT chains that read them (from outside the node, and from the node itself). */
export function hostPortDnat(): string[] {
  return [
    // protocol . port, or address . protocol . port, to pod IP . port.
    '  map hostports { type inet_proto . inet_service : ipv4_addr . inet_service; }',
    '  map hostports_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }',
    ...['prerouting', 'output'].flatMap((chain) => [
      `  chain ${chain} {`,
      `    type nat hook ${chain} priority -100; policy accept;`, // dstnat, a name nft 1.0.6 knows in prerouting only
      '    fib daddr type local dnat ip to meta l4proto . th dport map @hostports',
      '    dnat ip to ip daddr . meta l4proto . th dport map @hostports_ip',
      '  }',
    ]),
  ];
}

/** Rules for the postrouting chain: the localhost and hairpin masquerades. */
export function hostPortMasquerade(n: HostPortNet): string[] {
  return [
    `    ct status dnat ip saddr ${LOCALNET} counter masquerade comment "hostPort from the node's localhost"`,
    `    ct status dnat ip saddr ${n.subnet} oifname "${n.bridge}" counter masquerade comment "hostPort hairpin"`,
  ];
}

/** The guard that route_localnet needs: nobody but the node itself opens a connection to its loopback. */
export function localnetGuard(): string[] {
  return [
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    `    iifname != "lo" ip daddr ${LOCALNET} ct state new counter drop comment "loopback from outside the node"`,
    '  }',
  ];
}
