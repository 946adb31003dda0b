// A container's securityContext as the OCI config's process takes it: its capability sets and
// no_new_privs, computed as containerd's CRI plugin computes them. Pure: unit-tested.
import { CAPABILITIES, type EffectiveSecurity } from '../manifest/security.js';

/** runc's default capability set for a non-privileged container (`runc spec`). */
export const DEFAULT_CAPABILITIES = ['CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_AUDIT_WRITE'];
export const ALL_CAPABILITIES = CAPABILITIES.map((c) => `CAP_${c}`);

/**
 * privileged: every capability the daemon holds (`held`; add and drop are then moot), as in
 * containerd. Otherwise runc's defaults, or none if drop has ALL; then add (ALL: every one held);
 * then drop, which wins over add. A capability the daemon lacks cannot be given (runc fails).
 */
export function capabilitySet(s: Pick<EffectiveSecurity, 'privileged' | 'add' | 'drop'>, held: readonly string[] = ALL_CAPABILITIES): string[] {
  if (s.privileged) return [...held];
  const caps = new Set(s.drop.includes('ALL') ? [] : DEFAULT_CAPABILITIES);
  for (const c of s.add.includes('ALL') ? held : s.add) caps.add(c);
  for (const c of s.drop) caps.delete(c);
  return ALL_CAPABILITIES.filter((c) => caps.has(c)); // the kernel's order, whatever the manifest's
}

/**
 * The process's capabilities: bounding, effective and permitted alike, and no ambient set, so a
 * process whose uid is not 0 has none effective once it has exec'd — as under Kubernetes.
 */
export function processCapabilities(caps: string[]): Record<string, string[]> {
  return { bounding: caps, effective: caps, permitted: caps };
}

/** no_new_privs stays on (minipod's default, stricter than Kubernetes') unless privileged or allowPrivilegeEscalation: true. */
export function noNewPrivileges(s: Pick<EffectiveSecurity, 'privileged' | 'allowPrivilegeEscalation'>): boolean {
  return !(s.privileged || s.allowPrivilegeEscalation === true);
}

/** The capabilities of a /proc/PID/status's CapBnd (what that process can still give); undefined without one. */
export function boundingSet(status: string | undefined): string[] | undefined {
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status ?? '')?.[1];
  if (!hex) return undefined;
  const mask = BigInt(`0x${hex}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}
