// A container's environment variables as Kubernetes writes them: a `value`, or a `valueFrom` that
// takes it from the pod itself (the downward API's fieldRef: its name, namespace, uid, labels, IP,
// node), and `$(NAME)` in a value, a command or an argument replaced by a variable defined before
// it (`$$(NAME)` is a literal `$(NAME)`; an unknown name stays as written), as kubelet expands them.
import { z } from 'zod';

/** The kernel's limit on one argument or environment string, its terminating NUL included
 * (MAX_ARG_STRLEN, 32 pages): a longer one makes execve fail with E2BIG. */
export const MAX_ARG_STRLEN = 131072;
export const noNul = (s: string) => !s.includes('\0');
export const NUL_MESSAGE = 'must not contain NUL (the kernel ends a string at the first NUL)';

/** What a fieldRef may name; `metadata.labels['KEY']` too. */
export const FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'status.podIP', 'status.podIPs'] as const;
const LABEL_FIELD = /^metadata\.labels\['([^']+)'\]$/;

const fieldRef = z.strictObject({
  apiVersion: z.literal('v1').optional(),
  fieldPath: z.string().refine((p) => (FIELD_PATHS as readonly string[]).includes(p) || LABEL_FIELD.test(p), (p) => ({
    message: `${JSON.stringify(p)} is not a field minipod can give: use one of ${FIELD_PATHS.join(', ')} or metadata.labels['KEY']`,
  })),
});

const valueFrom = z
  .object({ fieldRef: fieldRef.optional() })
  .passthrough()
  .superRefine((v, ctx) => {
    const others = Object.keys(v).filter((k) => k !== 'fieldRef');
    for (const k of others) {
      const why = k === 'configMapKeyRef' || k === 'secretKeyRef' ? 'minipod has no ConfigMaps or Secrets: give the value inline with `value`' : k === 'resourceFieldRef' ? 'minipod does not give resource fields: give the value inline with `value`' : 'unknown source';
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [k], message: `is not supported: ${why} (or use fieldRef)` });
    }
    if (!others.length && !v.fieldRef) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'needs a fieldRef, such as {fieldRef: {fieldPath: status.podIP}}' });
  })
  .transform((v) => ({ fieldRef: v.fieldRef! }));

export const envVar = z
  .strictObject({
    name: z.string().min(1).regex(/^[^=\0]+$/, 'must not contain "=" or NUL'),
    value: z.string().refine(noNul, NUL_MESSAGE).optional(),
    valueFrom: valueFrom.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.value !== undefined && e.valueFrom) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['valueFrom'], message: 'may not be given with a value: give one or the other' });
    // The process sees NAME=value as one string, under the same limit as an argument.
    const bytes = Buffer.byteLength(e.name) + 1 + Buffer.byteLength(e.value ?? '');
    if (bytes >= MAX_ARG_STRLEN) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['value'], message: `makes NAME=value ${bytes} bytes: the kernel takes at most ${MAX_ARG_STRLEN - 1} per environment string (MAX_ARG_STRLEN)` });
  })
  .transform((e) => (e.valueFrom ? e : { ...e, value: e.value ?? '' })); // no value: the empty string, as Kubernetes

export type EnvVar = z.infer<typeof envVar>;

/** What the downward API reads: the pod as the node knows it when the container starts. */
export interface PodFields {
  name: string;
  namespace: string;
  uid: string;
  podIP: string;
  nodeName: string;
  labels: Record<string, string>;
}

export function fieldValue(path: string, pod: PodFields): string {
  const label = LABEL_FIELD.exec(path)?.[1];
  if (label !== undefined) return pod.labels[label] ?? '';
  switch (path) {
    case 'metadata.name': return pod.name;
    case 'metadata.namespace': return pod.namespace;
    case 'metadata.uid': return pod.uid;
    case 'spec.nodeName': return pod.nodeName;
    case 'status.podIP':
    case 'status.podIPs': return pod.podIP; // one family: the list is the one address
    default: return '';
  }
}

/** `$(NAME)` → vars[NAME] when defined; `$$` → `$`; anything else as written. */
export function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (match, name: string | undefined) => (match === '$$' ? '$' : name !== undefined && name in vars ? vars[name]! : match));
}

/** The container's own variables in order, each value expanded against the ones before it (as kubelet: not the image's). */
export function ownEnv(env: EnvVar[], pod?: PodFields): Record<string, string> {
  const own: Record<string, string> = {};
  for (const e of env) own[e.name] = e.valueFrom ? (pod ? fieldValue(e.valueFrom.fieldRef.fieldPath, pod) : '') : expand(e.value ?? '', own);
  return own;
}
