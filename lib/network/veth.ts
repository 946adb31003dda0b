// The pod's veth pair. The peer is created directly inside the sandbox's namespace as eth0
// (moving a link between namespaces costs ~40 ms), with a random MAC: the holder gives it the
// pod's when it configures it (rootfs/pause), so the veth need not wait for the lease. The host end goes on the bridge, up, in hairpin
// mode (as the CNI bridge plugin's hairpinMode): where br_netfilter sees the node's bridge, a pod's
// packet to its own hostPort is DNATed inside the bridge and must go back out of the port it came
// in by, which a bridge refuses but to a hairpin port (network/hostport-rules.ts).
import type { IpBatch } from '../os/ip-batch.js';
import { POD_IFNAME } from './names.js';

export interface VethSpec {
  hostName: string;
  bridge: string;
  sandboxPid: number;
}

export async function createVeth(ip: IpBatch, v: VethSpec): Promise<void> {
  await ip.run([
    `link add ${v.hostName} master ${v.bridge} up type veth peer name ${POD_IFNAME} netns ${v.sandboxPid}`,
    `link set ${v.hostName} type bridge_slave hairpin on`,
  ]);
}

// "No such device" (ENODEV): the name still resolved but the kernel is already unregistering the
// link — its namespace died and took the pair with it.
const missing = (f: { message: string }) => /Cannot find device|does not exist|No such device/.test(f.message);

/**
 * Take a veth off its bridge (a recovery, once the new sandbox's veth with the same MAC is wired):
 * frames for the pod then go to the new namespace, while the old one's apps are still stopping.
 * Cheap, where a delete waits for the kernel (~20 ms); gone already is success.
 */
export async function detachVeth(ip: IpBatch, hostName: string): Promise<void> {
  await ip.run([`link set ${hostName} nomaster`], missing);
}

/** Idempotent: a veth that is already gone, or going (its namespace died), is success; '' (a hostNetwork pod has none) too. */
export async function deleteVeth(ip: IpBatch, hostName: string): Promise<void> {
  if (!hostName) return;
  await ip.run([`link del ${hostName}`], missing);
}
