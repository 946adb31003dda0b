// A pod's volumes and its containers' volumeMounts, a subset of Kubernetes': emptyDir (a directory
// per pod on the node, or a tmpfs with `medium: Memory`) and hostPath (a node path, with kubelet's
// `type` checks). Only a container with an image gets mounts: one without runs on the node's own
// filesystem, where a mount would be the node's, not its own.
import path from 'node:path';
import { z } from 'zod';
import { parseResourceQuantity } from './quantity.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const name = z.string().regex(DNS_LABEL, 'must be a DNS-1123 label: lowercase letters, digits and "-", at most 63, starting and ending alphanumeric');
const absolute = (what: string) => z.string().refine((p) => p.startsWith('/') && !p.includes('\0'), `must be an absolute path such as "/data" (${what})`);

/** kubelet's hostPath types: what is checked (and made, for the *OrCreate ones) before a container starts. */
export const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'] as const;
export type HostPathType = (typeof HOST_PATH_TYPES)[number];

const sizeLimit = z.union([z.string(), z.number()]).superRefine((v, ctx) => {
  const n = parseResourceQuantity(v);
  if (n === undefined || n < 1) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${JSON.stringify(v)} is not a size: give a quantity such as "64Mi"` });
});

const emptyDir = z.strictObject({
  /** "" (the node's disk, under the state dir) or Memory (a tmpfs in the node's mount namespace). */
  medium: z.enum(['', 'Memory'], { errorMap: () => ({ message: 'must be "" (a directory on the node) or "Memory" (a tmpfs)' }) }).default(''),
  /** The tmpfs's size with medium Memory; kept as written. Not enforced on disk (no quota there). */
  sizeLimit: sizeLimit.optional(),
});

const hostPath = z.strictObject({
  path: absolute('a path on the node'),
  type: z.enum(HOST_PATH_TYPES, { errorMap: () => ({ message: `must be one of ${HOST_PATH_TYPES.map((t) => JSON.stringify(t)).join(', ')}` }) }).default(''),
});

export const volumeSchema = z
  .strictObject({ name, emptyDir: emptyDir.optional(), hostPath: hostPath.optional() })
  .superRefine((v, ctx) => {
    const sources = [v.emptyDir && 'emptyDir', v.hostPath && 'hostPath'].filter(Boolean);
    if (sources.length !== 1) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['name'], message: `volume "${v.name}" needs exactly one source, emptyDir or hostPath (${sources.length ? `has ${sources.join(' and ')}` : 'has none; other kinds (configMap, secret, persistentVolumeClaim) are not supported'})` });
  });

export const volumeMountSchema = z.strictObject({
  name,
  mountPath: absolute('where the volume appears in the container'),
  readOnly: z.boolean().default(false),
  /** A path inside the volume, mounted instead of its root: relative, no "..". */
  subPath: z
    .string()
    .refine((p) => !p.startsWith('/'), 'must be a relative path inside the volume, such as "html"')
    .refine((p) => !p.split('/').includes('..'), 'must not contain "..": it names a path inside the volume')
    .refine((p) => !p.includes('\0'), 'must not contain a NUL byte')
    .optional(),
});

export type Volume = z.infer<typeof volumeSchema>;
export type VolumeMount = z.infer<typeof volumeMountSchema>;

interface WithMounts {
  name: string;
  image?: string | undefined;
  volumeMounts?: VolumeMount[] | undefined;
}

/** The checks across fields: unique volume names, mounts naming a volume, one mount per path, an image to mount into. */
export function refineVolumes(spec: { volumes?: Volume[] | undefined; containers: WithMounts[] }, ctx: z.RefinementCtx): void {
  const volumes = new Set<string>();
  spec.volumes?.forEach((v, i) => {
    if (volumes.has(v.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['volumes', i, 'name'], message: `duplicate "${v.name}"` });
    volumes.add(v.name);
  });
  spec.containers.forEach((c, i) => {
    const paths = new Set<string>();
    c.volumeMounts?.forEach((m, j) => {
      const at = ['containers', i, 'volumeMounts', j];
      if (!c.image) ctx.addIssue({ code: z.ZodIssueCode.custom, path: at, message: 'needs an image: a container without one runs on the node\'s own filesystem, where nothing is mounted for it (give the container an image, or use the node path directly)' });
      if (!volumes.has(m.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...at, 'name'], message: `no volume "${m.name}" in spec.volumes${volumes.size ? ` (there are: ${[...volumes].join(', ')})` : ''}` });
      const where = path.posix.normalize(m.mountPath).replace(/(.)\/$/, '$1'); // "/d/" is "/d"
      if (paths.has(where)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...at, 'mountPath'], message: `"${m.mountPath}" is already a mount path of container "${c.name}"` });
      paths.add(where);
    });
  });
}
