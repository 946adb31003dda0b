// securityContext, pod-level and container-level, as Kubernetes defines them (the container's
// fields override the pod's), and the one view of both a container runs with. A container without
// an image is a host process: only its uid and gid can be set (nsenter --setuid/--setgid), so the
// rest is refused for it here, with what to do instead.
import { z } from 'zod';

/** Linux capabilities 0…40 (CAP_CHOWN … CAP_CHECKPOINT_RESTORE), without their CAP_ prefix. */
export const CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE',
  'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE',
  'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
] as const;

/** A capability as written ("NET_ADMIN" or "CAP_NET_ADMIN", or "ALL"), kept as "CAP_NET_ADMIN" / "ALL". */
const capability = z.string().transform((v, ctx) => {
  const name = v.replace(/^CAP_/, '');
  if (name === 'ALL' && v === 'ALL') return 'ALL';
  if ((CAPABILITIES as readonly string[]).includes(name)) return `CAP_${name}`;
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${JSON.stringify(v)} is not a Linux capability: write one such as "NET_ADMIN" or "CAP_NET_ADMIN" (upper case), or "ALL"` });
  return z.NEVER;
});

const id = z.number().int().min(0).max(2 ** 32 - 2);

/** Both levels: who the container's process is. */
const identity = {
  runAsUser: id.optional(),
  runAsGroup: id.optional(),
  runAsNonRoot: z.boolean().optional(),
};

export const podSecurityContextSchema = z.strictObject({
  ...identity,
  /** Extra groups of every image container's process (OCI process.user.additionalGids). */
  supplementalGroups: z.array(id).optional(),
  /** Owns the pod's emptyDir volumes (group, setgid) and is an extra group of every container, as kubelet does. */
  fsGroup: id.optional(),
  /** Always (the default): every volume's files are given the group when a container mounts it; OnRootMismatch: only if its top directory lacks it. */
  fsGroupChangePolicy: z.enum(['Always', 'OnRootMismatch'], { errorMap: () => ({ message: 'must be "Always" or "OnRootMismatch"' }) }).optional(),
});

export const containerSecurityContextSchema = z.strictObject({
  ...identity,
  readOnlyRootFilesystem: z.boolean().optional(),
  capabilities: z.strictObject({ add: z.array(capability).optional(), drop: z.array(capability).optional() }).optional(),
  privileged: z.boolean().optional(),
  allowPrivilegeEscalation: z.boolean().optional(),
}).superRefine((s, ctx) => {
  // Kubernetes' own validation: either would need no_new_privs off to mean anything.
  if (s.allowPrivilegeEscalation === false && s.privileged) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['allowPrivilegeEscalation'], message: 'cannot be false when privileged is true: remove one of them' });
  if (s.allowPrivilegeEscalation === false && s.capabilities?.add?.includes('CAP_SYS_ADMIN')) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['allowPrivilegeEscalation'], message: 'cannot be false when capabilities.add has SYS_ADMIN: remove one of them' });
});

type PodSecurity = z.infer<typeof podSecurityContextSchema>;
type ContainerSecurity = z.infer<typeof containerSecurityContextSchema>;

/** What a container runs with: its own fields, else the pod's; unset, the image's user and runc's defaults. */
export interface EffectiveSecurity {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot: boolean;
  supplementalGroups: number[];
  readOnlyRootFilesystem: boolean;
  privileged: boolean;
  /** Unset: minipod's default, no_new_privs on (Kubernetes' default leaves it off). */
  allowPrivilegeEscalation?: boolean;
  add: string[];
  drop: string[];
}

export function effectiveSecurity(pod: PodSecurity | undefined, c: ContainerSecurity | undefined): EffectiveSecurity {
  const runAsUser = c?.runAsUser ?? pod?.runAsUser;
  const runAsGroup = c?.runAsGroup ?? pod?.runAsGroup;
  return {
    ...(runAsUser !== undefined ? { runAsUser } : {}),
    ...(runAsGroup !== undefined ? { runAsGroup } : {}),
    runAsNonRoot: c?.runAsNonRoot ?? pod?.runAsNonRoot ?? false,
    // kubelet gives every container the fsGroup as an extra group, after the pod's own list.
    supplementalGroups: [...(pod?.supplementalGroups ?? []), ...(pod?.fsGroup !== undefined && !pod.supplementalGroups?.includes(pod.fsGroup) ? [pod.fsGroup] : [])],
    readOnlyRootFilesystem: c?.readOnlyRootFilesystem ?? false,
    privileged: c?.privileged ?? false,
    ...(c?.allowPrivilegeEscalation !== undefined ? { allowPrivilegeEscalation: c.allowPrivilegeEscalation } : {}),
    add: c?.capabilities?.add ?? [],
    drop: c?.capabilities?.drop ?? [],
  };
}

/**
 * The process's uid and gid: runAsUser and runAsGroup override the image's (or, without an image,
 * the daemon's root). With runAsUser alone the gid is 0, as containerd gives one the image's
 * /etc/passwd does not name (minipod reads no /etc/passwd).
 */
export function runAs(s: EffectiveSecurity, image: { uid: number; gid: number } = { uid: 0, gid: 0 }): { uid: number; gid: number } {
  return { uid: s.runAsUser ?? image.uid, gid: s.runAsGroup ?? (s.runAsUser !== undefined ? 0 : image.gid) };
}

/** Who a container without an image runs as: undefined (the daemon's root) unless runAsUser or runAsGroup is set. */
export function hostProcessUser(s: EffectiveSecurity): { uid: number; gid: number } | undefined {
  return s.runAsUser !== undefined || s.runAsGroup !== undefined ? runAs(s) : undefined;
}

/** kubelet's words for an image whose user is root under runAsNonRoot (CreateContainerConfigError). */
export const NON_ROOT_MESSAGE = 'container has runAsNonRoot and image will run as root';

type Spec = { securityContext?: PodSecurity | undefined; containers: { name: string; image?: string | undefined; securityContext?: ContainerSecurity | undefined }[] };

/** Checks across the two levels and the container's kind; `ctx` is the pod spec's. */
export function checkSecurityContexts(spec: Spec, ctx: z.RefinementCtx): void {
  spec.containers.forEach((c, i) => {
    const s = effectiveSecurity(spec.securityContext, c.securityContext);
    const at = ['containers', i, 'securityContext'];
    const level = (field: string) => (c.securityContext && field in c.securityContext ? [...at, field] : ['securityContext', field]);
    if (s.runAsNonRoot && s.runAsUser === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: level('runAsUser'), message: `is 0 (root) for container "${c.name}", which has runAsNonRoot: give a non-zero uid, or drop runAsNonRoot` });
    if (c.image) return;
    if (s.runAsNonRoot && s.runAsUser === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: level('runAsNonRoot'), message: 'needs runAsUser for a container without an image (it would run as root, the daemon\'s user): give a non-zero runAsUser' });
    if (spec.securityContext?.fsGroup !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['securityContext', 'fsGroup'], message: `needs an image: container "${c.name}" has none, and a host process gets only runAsUser and runAsGroup` });
    else if (s.supplementalGroups.length) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['securityContext', 'supplementalGroups'], message: `needs an image: container "${c.name}" has none, and a host process gets only runAsUser and runAsGroup` });
    for (const field of ['readOnlyRootFilesystem', 'capabilities', 'privileged', 'allowPrivilegeEscalation'] as const) {
      if (c.securityContext?.[field] !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...at, field], message: 'needs an image: a container without one is a host process, which gets only runAsUser, runAsGroup and runAsNonRoot' });
    }
  });
}
