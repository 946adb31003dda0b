// Pod egress: a pod reaches addresses outside the pod subnet through its node. Packets from the
// pod subnet to anywhere else are masqueraded to the address of the node's interface they leave
// by, as the CNI bridge plugin's ipMasq and kubenet do, so the reply comes back to the node, which
// un-NATs it to the pod. The node routes between its bridge and its uplink (ip_forward = 1).
// Both are per network namespace: in a node (`minipod node start`) they exist only in the node's,
// and a daemon on the host's own network sets them only when asked (`--egress`), as a CNI
// runtime on a dedicated VM would.
//
// The rules are one nftables table, `ip minipod`, replaced whole in one transaction (so a daemon
// restart or a changed subnet never doubles or leaves a rule), which also holds the hostPort maps
// and their rules (network/hostport-rules.ts; the maps refilled from the records right after);
// with no nft, iptables rules marked with a comment, added once, and no hostPort. Traffic to
// `noNat` (in a cluster: the cluster's pod CIDR and the other nodes' addresses, reached by routes
// without NAT) keeps the pod's own address, as Kubernetes requires and ip-masq-agent's
// nonMasqueradeCIDRs configure.
import ipaddr from 'ipaddr.js';
import { MinipodError } from '../errors.js';
import { run, tools, writeSysctl } from '../os/host.js';
import { hostPortDnat, hostPortMasquerade, localnetGuard, routeLocalnet } from './hostport-rules.js';

export const NAT_TABLE = 'minipod';
const IPT_COMMENT = 'minipod pod egress';

export interface Egress {
  /** The pod subnet, e.g. "10.88.0.0/16". */
  subnet: string;
  /** The pods' bridge (hostPort hairpin and localhost rules). */
  bridge: string;
  /** Destinations reached without NAT besides the subnet itself (a cluster's pod CIDR, its nodes). */
  noNat?: string[];
}

/** The nft script that replaces the table: declare (so the delete cannot fail), delete, define. */
export function nftRuleset(e: Egress): string {
  const keep = e.noNat?.length ? `{ ${[e.subnet, ...e.noNat].join(', ')} }` : e.subnet;
  return [
    `table ip ${NAT_TABLE}`,
    `delete table ip ${NAT_TABLE}`,
    `table ip ${NAT_TABLE} {`,
    ...hostPortDnat(),
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr ${e.subnet} ip daddr != ${keep} counter masquerade comment "pod egress"`,
    ...hostPortMasquerade(e),
    '  }',
    ...localnetGuard(),
    '}',
    '',
  ].join('\n');
}

/**
 * The iptables rules (without -A/-C/-D), for machines without nft: `! -d` takes one network, so
 * each other one a pod reaches without NAT is a RETURN before the masquerade.
 */
export function iptablesRules(e: Egress): string[][] {
  const rule = (to: string[], target: string) => ['-t', 'nat', 'POSTROUTING', '-s', e.subnet, ...to, '-m', 'comment', '--comment', IPT_COMMENT, '-j', target];
  return [...(e.noNat ?? []).map((c) => rule(['-d', c], 'RETURN')), rule(['!', '-d', e.subnet], 'MASQUERADE')];
}

/** --non-masquerade-cidrs: a comma-separated list of IPv4 networks (10.88.0.0/16,192.0.2.11/32). */
export function parseNonMasquerade(value: string): string[] {
  const cidrs = value.split(',').map((c) => c.trim()).filter(Boolean);
  for (const c of cidrs) {
    if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(c)) throw new MinipodError('INVALID_ARGUMENT', `--non-masquerade-cidrs: ${JSON.stringify(c)} is not an IPv4 network such as 10.88.0.0/16: give a comma-separated list of them`);
  }
  return cidrs.map((c) => `${ipaddr.IPv4.networkAddressFromCIDR(c).toString()}/${c.split('/')[1]}`); // 10.88.1.7/16 → 10.88.0.0/16
}

/** What enableEgress makes its rules with: nft where there is one (hostPorts need it), else iptables. */
export function egressTool(): 'nft' | 'iptables' {
  const { nft, iptables } = tools();
  if (!nft && !iptables) throw new MinipodError('NOT_FOUND', 'pod egress needs nft or iptables: install nftables (apt-get install nftables)');
  return nft ? 'nft' : 'iptables';
}

/** Forwarding on and the masquerade rule in place, in our network namespace. Idempotent. */
export async function enableEgress(e: Egress, bridgeMade: Promise<unknown> = Promise.resolve()): Promise<'nft' | 'iptables'> {
  const how = egressTool();
  const { nft, iptables } = tools();
  const forwarding = writeSysctl('net.ipv4.ip_forward', '1');
  if (how === 'nft') {
    // Its rules name the bridge as a string only: made while the bridge is (a daemon's start), and
    // beside the forwarding (both are in place before anything is forwarded: the daemon answers after).
    await Promise.all([forwarding, run([nft!, '-f', '-'], { input: nftRuleset(e) })]);
    await bridgeMade; // the bridge's own route_localnet exists once the bridge does
    await writeSysctl(routeLocalnet(e.bridge), '1'); // after the guard that it needs (hostport-rules.ts)
    return 'nft';
  }
  await forwarding;
  for (const [t, nat, chain, ...rule] of iptablesRules(e)) {
    const exists = await run([iptables!, '-w', t!, nat!, '-C', chain!, ...rule]).then(() => true, () => false);
    if (!exists) await run([iptables!, '-w', t!, nat!, '-A', chain!, ...rule]);
  }
  return 'iptables';
}
