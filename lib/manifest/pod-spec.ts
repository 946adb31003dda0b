// The validated pod manifest: a subset of the Kubernetes Pod, checked with zod so every error
// names its field (`spec.containers[1].name: duplicate "httpd"`).
import { z } from 'zod';
import { envVar, MAX_ARG_STRLEN, noNul, NUL_MESSAGE } from './env.js';
import { parseResourceQuantity } from './quantity.js';
import { checkSecurityContexts, containerSecurityContextSchema, podSecurityContextSchema } from './security.js';
import { checkProbes, probeSchema } from './probes.js';
import { refineVolumes, volumeMountSchema, volumeSchema } from './volumes.js';
import { refineHostNamespaces } from './host-namespaces.js';
import { DEFAULT_NAMESPACE, DNS_LABEL, LABEL_KEY, LABEL_VALUE } from './names.js';

export { MAX_ARG_STRLEN } from './env.js';
export { DEFAULT_NAMESPACE, DNS_LABEL, DNS_SUBDOMAIN, LABEL_KEY, LABEL_VALUE } from './names.js';

const dnsLabel = z
  .string()
  .regex(DNS_LABEL, 'must be a DNS-1123 label: lowercase letters, digits and "-", at most 63, starting and ending alphanumeric');

const fitsArg = (s: string) => Buffer.byteLength(s) < MAX_ARG_STRLEN;
const argString = z
  .string()
  .refine(noNul, NUL_MESSAGE)
  .refine(fitsArg, (s) => ({ message: `is ${Buffer.byteLength(s)} bytes: the kernel takes at most ${MAX_ARG_STRLEN - 1} per argument (MAX_ARG_STRLEN)` }));

const port = z.strictObject({
  name: z.string().optional(),
  containerPort: z.number().int().min(1).max(65535),
  protocol: z.enum(['TCP', 'UDP']).default('TCP'),
  /** Published on the node (network/hostports.ts), as the CNI portmap plugin does. */
  hostPort: z.number().int().min(1).max(65535).optional(),
  /** The node address it is published on; every node address if unset ("0.0.0.0" too). */
  hostIP: z
    .string()
    .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'must be an IPv4 address of the node such as "192.0.2.10"')
    .transform((v) => (v === '0.0.0.0' ? undefined : v))
    .optional(),
});

const argvList = z.array(argString, {
  invalid_type_error: 'must be a list such as ["node", "app.js"], not a single (shell) string',
});

/** An image reference as Docker and Kubernetes write one (checked in full when it is resolved). */
const imageRef = z.string().regex(/^[a-z0-9][A-Za-z0-9._\-/:@]*$/, 'must be an image reference such as "httpd", "bootcamp:v1" or "docker.io/library/busybox:latest"').max(255);

/** A Kubernetes quantity, kept as written (`250m`, `0.5`, `512Mi`); YAML may give a plain number. */
const quantity = z.union([z.string(), z.number()], { invalid_type_error: 'must be a quantity such as "250m" or "512Mi"' }).superRefine((v, ctx) => {
  const n = parseResourceQuantity(v);
  if (n === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${JSON.stringify(v)} is not a quantity: give a number with an optional suffix, such as "250m", "0.5", "512Mi" or "1G"` });
});
const resourceList = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });

/** requests and limits of CPU and memory; a limit below its request is refused, as Kubernetes refuses it. */
const resources = z.strictObject({ requests: resourceList.optional(), limits: resourceList.optional() }).superRefine((r, ctx) => {
  for (const kind of ['cpu', 'memory'] as const) {
    const request = r.requests?.[kind];
    const limit = r.limits?.[kind];
    if (request === undefined || limit === undefined) continue;
    const [req, lim] = [parseResourceQuantity(request), parseResourceQuantity(limit)];
    if (req !== undefined && lim !== undefined && req > lim) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['requests', kind], message: `${JSON.stringify(request)} must be less than or equal to the ${kind} limit ${JSON.stringify(limit)}` });
    }
  }
});

const container = z.strictObject({
  name: dnsLabel,
  /** Without one, the container is a process on the node's own filesystem (a minipod extension). */
  image: imageRef.optional(),
  /** Nothing is ever pulled (no registry is reachable): every policy uses what `minipod image import` stored. */
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  /** Required without an image; with one, it replaces the image's ENTRYPOINT (Kubernetes' rules). */
  command: argvList.min(1, 'is required: the program and its arguments, as an array').optional(),
  args: argvList.default([]),
  env: z.array(envVar).default([]),
  workingDir: z.string().startsWith('/', 'must be an absolute path').optional(),
  ports: z.array(port).default([]),
  /** Applied to a container with an image (runc sets its cgroups); one without ignores them (README). */
  resources: resources.optional(),
  securityContext: containerSecurityContextSchema.optional(),
  /** Bind mounts of the pod's volumes (manifest/volumes.ts); only with an image. */
  volumeMounts: z.array(volumeMountSchema).optional(),
  /** Run by the daemon (lib/probe/); refused on init containers, as Kubernetes refuses them. */
  startupProbe: probeSchema.optional(),
  readinessProbe: probeSchema.optional(),
  livenessProbe: probeSchema.optional(),
});

export const labelsSchema = z.record(
  z.string().regex(LABEL_VALUE, 'must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric (or empty)'),
).superRefine((labels, ctx) => {
  for (const key of Object.keys(labels)) {
    if (!LABEL_KEY.test(key)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: 'is not a label key: [PREFIX/]NAME, NAME at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric' });
  }
});

/** Annotations as Kubernetes takes them: keys like label keys, values any string, at most 256 KiB in all. Kept and shown, never acted on. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;
export const annotationsSchema = z.record(z.string()).superRefine((annotations, ctx) => {
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    size += key.length + value.length;
    if (!LABEL_KEY.test(key)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: 'is not an annotation key: [PREFIX/]NAME, NAME at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric' });
  }
  if (size > MAX_ANNOTATIONS_BYTES) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `are ${size} bytes in all: at most ${MAX_ANNOTATIONS_BYTES} (256 KiB), as in Kubernetes` });
});

export const namespaceSchema = z
  .string()
  .regex(DNS_LABEL, 'must be a DNS-1123 label: lowercase letters, digits and "-", at most 63, starting and ending alphanumeric')
  .default(DEFAULT_NAMESPACE);

/** Who made this pod: a Deployment's controller sets one (deploy/controller.ts); `inspect` shows it. */
const ownerReference = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string().min(1),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

export const podSpecSchema = z
    .strictObject({
      restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).default('Always'),
      /** minipod only: what to do when the pause holder dies (README: Recreate vs Rejoin). */
      sandboxDeathPolicy: z.enum(['Recreate', 'Rejoin']).default('Recreate'),
      terminationGracePeriodSeconds: z.number().int().min(0).max(3600).default(30),
      /** One PID namespace for the pod, the pause its PID 1 (containers with an image join it). */
      shareProcessNamespace: z.boolean().default(false),
      /** The OCI runtime of its image containers, as a RuntimeClass's handler names one (the
       * names of runtime/oci-runtimes.ts); unset: the daemon's --oci-runtime. */
      runtimeClassName: z.enum(['runc', 'crun'], { errorMap: () => ({ message: 'must be runc or crun (the OCI runtime of the pod\'s image containers; leave it out for the daemon\'s --oci-runtime)' }) }).optional(),
      containers: z.array(container).min(1, 'needs at least one container'),
      securityContext: podSecurityContextSchema.optional(),
      /** Run one after another, each to exit 0, before the containers start (lib/pod/init.ts). */
      initContainers: z.array(container).optional(),
      volumes: z.array(volumeSchema).optional(),
      /** The node's network and UTS namespaces for the whole pod (pod/host-network.ts). */
      hostNetwork: z.boolean().optional(),
      /** Refused (refineHostNamespaces): named here so the message says why, not "unknown field". */
      hostIPC: z.boolean().optional(),
      hostPID: z.boolean().optional(),
    })
    .superRefine((spec, ctx) => {
      refineVolumes(spec, ctx);
      refineHostNamespaces(spec, ctx);
      const seen = new Set<string>();
      // One name space for both lists, as in Kubernetes: logs, exec and events name a container by it.
      const lists = [['initContainers', spec.initContainers ?? []], ['containers', spec.containers]] as const;
      for (const [field, list] of lists) {
        list.forEach((c, i) => {
          if (!c.image && !c.command) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field, i, 'command'], message: 'is required when there is no image: the program and its arguments, as an array (or give an image)' });
          }
          if (seen.has(c.name)) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field, i, 'name'], message: `duplicate "${c.name}"` });
          }
          seen.add(c.name);
        });
      }
      checkSecurityContexts(spec, ctx);
      checkProbes(spec, ctx);
      const ports = new Map<string, string>();
      spec.containers.forEach((c, i) =>
        c.ports.forEach((p, j) => {
          const key = `${p.protocol}/${p.containerPort}`;
          const owner = ports.get(key);
          if (owner) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: ['containers', i, 'ports', j, 'containerPort'],
              message: `${key} is already declared by container "${owner}" (apps share one network namespace)`,
            });
          }
          ports.set(key, c.name);
        }),
      );
      const hostPorts = new Map<string, string>();
      spec.containers.forEach((c, i) =>
        c.ports.forEach((p, j) => {
          if (p.hostIP !== undefined && p.hostPort === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['containers', i, 'ports', j, 'hostIP'], message: 'is set without a hostPort: add hostPort, or remove hostIP' });
          if (p.hostPort === undefined) return;
          const key = `${p.protocol}/${p.hostPort}`;
          const owner = hostPorts.get(key);
          if (owner) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['containers', i, 'ports', j, 'hostPort'], message: `${key} is already published by container "${owner}" of this pod` });
          hostPorts.set(key, c.name);
        }),
      );
    });

export const podMetadataSchema = z.strictObject({
  name: dnsLabel,
  namespace: namespaceSchema,
  labels: labelsSchema.optional(),
  annotations: annotationsSchema.optional(),
  ownerReferences: z.array(ownerReference).optional(),
});

export const podManifestSchema = z.strictObject({
  apiVersion: z.literal('v1').optional(),
  kind: z.literal('Pod').optional(),
  metadata: podMetadataSchema,
  spec: podSpecSchema,
});

export type PodManifest = z.infer<typeof podManifestSchema>;
export type ContainerSpec = PodManifest['spec']['containers'][number];
