// hostNetwork pods (spec.hostNetwork: true): the pod uses the node's network and UTS namespaces,
// as containerd's CRI plugin does for NamespaceMode NODE. Its pause holds only its IPC namespace;
// there is no veth, no lease, no `ip netns` name, and its IP is the node's (record.hostIP).
import type { PodRecord } from './types.js';

export const isHostNetwork = (r: Pick<PodRecord, 'manifest'>): boolean => r.manifest.spec.hostNetwork === true;

/** status.podIP: the node's address for a hostNetwork pod, its own leased one otherwise ('' if none). */
export function podIPOf(r: Pick<PodRecord, 'manifest' | 'ip' | 'hostIP'>): string {
  return isHostNetwork(r) ? (r.hostIP ?? '') : r.ip;
}
