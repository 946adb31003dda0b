// The host namespaces a Pod may ask for: hostNetwork (pod/host-network.ts) with Kubernetes' own
// port rules; hostIPC and hostPID refused with why, not as unknown fields.
import { z } from 'zod';

/** hostIPC and hostPID are refused; hostNetwork's ports are the node's own (no DNAT), as Kubernetes validates them. */
export function refineHostNamespaces(spec: { hostIPC?: boolean | undefined; hostPID?: boolean | undefined; hostNetwork?: boolean | undefined; containers: { ports: { containerPort: number; hostPort?: number | undefined; hostIP?: string | undefined }[] }[] }, ctx: z.RefinementCtx): void {
  for (const field of ['hostIPC', 'hostPID'] as const) {
    if (spec[field]) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field], message: `is not supported: the pod keeps its own ${field === 'hostIPC' ? 'IPC namespace (its pause holds it)' : 'PID namespace (or one shared by its containers: shareProcessNamespace)'}; remove it (hostNetwork is supported)` });
  }
  if (!spec.hostNetwork) return;
  spec.containers.forEach((c, i) =>
    c.ports.forEach((p, j) => {
      if (p.hostPort !== undefined && p.hostPort !== p.containerPort) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['containers', i, 'ports', j, 'hostPort'], message: `${p.hostPort} must match containerPort ${p.containerPort} when hostNetwork is true: the process binds the node's port itself (no DNAT); set hostPort to ${p.containerPort} or remove it` });
      }
      if (p.hostIP !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['containers', i, 'ports', j, 'hostIP'], message: 'is not used with hostNetwork: the process chooses the node address it binds itself; remove hostIP' });
    }),
  );
}
