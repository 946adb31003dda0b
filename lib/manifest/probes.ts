// readinessProbe, livenessProbe and startupProbe: the Kubernetes Probe, checked as the API server
// checks it (one handler, thresholds, named ports), so a probe that cannot work is refused with
// the manifest instead of failing forever once the pod runs. lib/probe/ runs them.
import { z } from 'zod';
import { noNul, NUL_MESSAGE } from './env.js';

/** IANA_SVC_NAME: what Kubernetes takes as a port's name (at most 15, at least one letter). */
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;
const PORT_MESSAGE = 'must be a port number (1-65535) or the name of one of the container\'s ports (such as "http")';
const portRef = z.union([z.number().int(PORT_MESSAGE).min(1, PORT_MESSAGE).max(65535, PORT_MESSAGE), z.string().regex(PORT_NAME, PORT_MESSAGE)], { errorMap: () => ({ message: PORT_MESSAGE }) });
const host = z.string().min(1).regex(/^[A-Za-z0-9.:-]+$/, 'must be an IP address or a host name (empty: the pod\'s IP)').optional();

const httpGet = z.strictObject({
  path: z.string().refine(noNul, NUL_MESSAGE).default('/'),
  port: portRef,
  host,
  scheme: z.enum(['HTTP', 'HTTPS'], { errorMap: () => ({ message: 'must be HTTP or HTTPS' }) }).default('HTTP'),
  httpHeaders: z.array(z.strictObject({ name: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name'), value: z.string().regex(/^[^\r\n\0]*$/, 'must be one line') })).default([]),
});
const tcpSocket = z.strictObject({ port: portRef, host });
const exec = z.strictObject({ command: z.array(z.string().refine(noNul, NUL_MESSAGE)).min(1, 'is required: the program and its arguments, as an array') });

const seconds = (min: number) => z.number().int().min(min);
export const probeSchema = z
  .strictObject({
    exec: exec.optional(),
    httpGet: httpGet.optional(),
    tcpSocket: tcpSocket.optional(),
    /** Refused below with what to use instead: no gRPC client in the daemon. */
    grpc: z.unknown().optional(),
    initialDelaySeconds: seconds(0).default(0),
    periodSeconds: seconds(1).default(10),
    timeoutSeconds: seconds(1).default(1),
    successThreshold: seconds(1).default(1),
    failureThreshold: seconds(1).default(3),
    /** The grace period of a kill this probe causes (liveness, startup); the pod's if unset. */
    terminationGracePeriodSeconds: seconds(1).max(3600).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.grpc !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['grpc'], message: 'is not supported by minipod: use exec with a health-check client the image has (such as ["grpc_health_probe", "-addr=:9000"]), or tcpSocket on the gRPC port' });
      return;
    }
    const given = (['exec', 'httpGet', 'tcpSocket'] as const).filter((k) => p[k] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: z.ZodIssueCode.custom, message: given.length ? `has ${given.join(' and ')}: give exactly one handler` : 'needs one handler: exec, httpGet or tcpSocket' });
  });

export type Probe = z.output<typeof probeSchema>;
export const PROBE_KINDS = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

interface ProbedContainer {
  name: string;
  ports: { name?: string | undefined; containerPort: number }[];
  startupProbe?: Probe | undefined;
  readinessProbe?: Probe | undefined;
  livenessProbe?: Probe | undefined;
}

/** What the API server refuses beyond each probe's own shape (called from the pod spec's refine). */
export function checkProbes(spec: { containers: ProbedContainer[]; initContainers?: ProbedContainer[] | undefined }, ctx: z.RefinementCtx): void {
  (spec.initContainers ?? []).forEach((c, i) => {
    for (const kind of PROBE_KINDS) {
      if (c[kind]) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['initContainers', i, kind], message: 'is not allowed on an init container (Kubernetes refuses it too): it runs to completion before the apps start; probe the app containers instead' });
    }
  });
  spec.containers.forEach((c, i) => {
    for (const kind of PROBE_KINDS) {
      const p = c[kind];
      if (!p) continue;
      const at: (string | number)[] = ['containers', i, kind];
      if (kind !== 'readinessProbe' && p.successThreshold !== 1) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...at, 'successThreshold'], message: `must be 1 for a ${kind === 'livenessProbe' ? 'liveness' : 'startup'} probe (as the API server requires)` });
      if (kind === 'readinessProbe' && p.terminationGracePeriodSeconds !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...at, 'terminationGracePeriodSeconds'], message: 'is not allowed on a readiness probe (it never kills the container): remove it' });
      const handler = p.httpGet ? 'httpGet' : p.tcpSocket ? 'tcpSocket' : undefined;
      const port = handler ? p[handler]!.port : undefined;
      if (handler && typeof port === 'string' && !c.ports.some((x) => x.name === port)) {
        const named = c.ports.filter((x) => x.name).map((x) => x.name);
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...at, handler, 'port'], message: `"${port}" is not the name of one of this container's ports (${named.length ? `named: ${named.join(', ')}` : 'none is named'}): give a number, or name the port in ports[].name` });
      }
    }
  });
}

/** The probe's port as a number (a name is one of the container's ports, checked with the manifest). */
export function probePort(port: number | string, ports: { name?: string | undefined; containerPort: number }[]): number {
  return typeof port === 'number' ? port : (ports.find((p) => p.name === port)?.containerPort ?? 0);
}
