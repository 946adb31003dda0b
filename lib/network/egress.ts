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
// with no nft, one iptables rule marked with a comment, added once, and no hostPort. Traffic to `noNat` (the cluster's pod CIDR: other nodes'
// pods, reached by routes without NAT) keeps the pod's own address, as Kubernetes requires.
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
  /** Destinations reached without NAT (the cluster's pod CIDR); the subnet itself by default. */
  noNat?: string;
}

/** The nft script that replaces the table: declare (so the delete cannot fail), delete, define. */
export function nftRuleset(e: Egress): string {
  const keep = e.noNat ?? e.subnet;
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

/** The iptables rule (without -A/-C/-D), for machines without nft. */
export function iptablesRule(e: Egress): string[] {
  return ['-t', 'nat', 'POSTROUTING', '-s', e.subnet, '!', '-d', e.noNat ?? e.subnet, '-m', 'comment', '--comment', IPT_COMMENT, '-j', 'MASQUERADE'];
}

/** Forwarding on and the masquerade rule in place, in our network namespace. Idempotent. */
export async function enableEgress(e: Egress): Promise<'nft' | 'iptables'> {
  const { nft, iptables } = tools();
  if (!nft && !iptables) throw new MinipodError('NOT_FOUND', 'pod egress needs nft or iptables: install nftables (apt-get install nftables)');
  await writeSysctl('net.ipv4.ip_forward', '1');
  if (nft) {
    await run([nft, '-f', '-'], { input: nftRuleset(e) });
    await writeSysctl(routeLocalnet(e.bridge), '1'); // after the guard that it needs (hostport-rules.ts)
    return 'nft';
  }
  const [t, nat, chain, ...rule] = iptablesRule(e);
  const exists = await run([iptables!, '-w', t!, nat!, '-C', chain!, ...rule]).then(() => true, () => false);
  if (!exists) await run([iptables!, '-w', t!, nat!, '-A', chain!, ...rule]);
  return 'iptables';
}
