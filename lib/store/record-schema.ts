// The shape of a pod record on disk, checked before a record is trusted: strict (an unknown field
// is rejected), with the API's own manifest schema inside. What each field must agree with
// (argv, paths, addresses) is checked by record-check.ts. lib/pod/types.ts stays the readable
// definition; the compile-time check at the end keeps the two in step.
import { FOUR_PART_IPV4 } from '../network/ipam.js';
import { z } from 'zod';
import { DNS_SUBDOMAIN } from '../manifest/pod-spec.js';
import { BRIDGE_NAME, HOST_VETH } from '../network/names.js';
import type { PodRecord } from '../pod/types.js';
import { NETNS } from '../process/namespace.js';
import { isoTime } from './iso-time.js';
import { DEFAULT_NAMESPACE, DNS_LABEL, podManifestSchema } from '../manifest/pod-spec.js';

/** nanoid()'s default: 21 of A-Z a-z 0-9 _ - */
export const POD_UID = /^[A-Za-z0-9_-]{21}$/;
/** PID_MAX_LIMIT on 64-bit Linux: no pid is larger. */
const PID_MAX = 4_194_304;

const pid = z.number().int().min(1, 'must be a positive pid').max(PID_MAX, `must be a pid (at most ${PID_MAX})`);
const startTime = z.string().regex(/^\d+$/, 'must be a start time in clock ticks (digits)').nullable().optional();
const netns = z.string().regex(NETNS, 'must be a network namespace such as net:[4026532636]');
const time = isoTime('must be an ISO time such as 2024-01-01T00:00:00.000Z');
const count = z.number().int().min(0);
const ms = z.number().min(0);
const ipv4 = z.string().regex(FOUR_PART_IPV4, 'must be an IPv4 address such as 10.88.0.2');

const termination = z.strictObject({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  reason: z.string(),
  startedAt: time.nullable(),
  finishedAt: time,
});

const container = z.strictObject({
  name: z.string().regex(DNS_LABEL, 'must be a DNS-1123 label'),
  state: z.enum(['Waiting', 'Running', 'Terminated']),
  reason: z.string().nullable(),
  ready: z.boolean(),
  started: z.boolean().optional(),
  pid: pid.nullable(),
  startTime,
  netns: netns.nullable(),
  restartCount: count,
  startedAt: time.nullable(),
  finishedAt: time.nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  lastState: termination.nullable(),
  crashes: count,
  restartAt: time.nullable(),
  argv: z.array(z.string().refine((s) => !s.includes('\0'), 'must not contain NUL')), // [] while an image is missing; record-check.ts checks the rest
  message: z.string().nullable().optional(),
  runtime: z.enum(['runc', 'crun', 'nsenter']).optional(),
  mntns: z.string().nullable().optional(),
  pidns: z.string().nullable().optional(),
  logPath: z.string(),
  image: z.string().optional(),
  imageID: z.string().regex(/^[0-9a-f]{64}$/, 'must be an image ID (64 hex)').optional(),
  containerID: z.string().regex(/^(runc|crun|nsenter):\/\/[a-z0-9][a-z0-9-]*-[A-Za-z0-9]{8}$/, 'must be runc://POD-CONTAINER-XXXXXXXX, crun://POD-CONTAINER-XXXXXXXX or nsenter://POD-CONTAINER-XXXXXXXX').nullable().optional(),
});

const sandbox = z.strictObject({
  pid,
  startTime,
  netns,
  attempt: count,
  // A union's usual value first: zod tries them in order, and each that fails makes an issue first.
  hostVeth: z.union([z.string().regex(HOST_VETH, 'must be a host veth name: "mp" and 10 of a-z 0-9 (or "" for a hostNetwork pod)'), z.literal('')]),
  createdAt: time,
});

const recovery = z.strictObject({
  cause: z.string(),
  action: z.enum(['recreate', 'rejoin', 'stop']),
  attempt: count,
  detectedAt: ms,
  detectMs: ms,
  stopAppsMs: ms,
  teardownMs: ms,
  sandboxMs: ms,
  networkMs: ms,
  appsMs: ms,
  totalMs: ms,
  wiredAt: ms,
  appsStartedAt: ms,
});

export const podRecordSchema = z.strictObject({
  name: z.string().regex(DNS_LABEL, 'must be a DNS-1123 label'),
  namespace: z.string().regex(DNS_LABEL, 'must be a DNS-1123 label').default(DEFAULT_NAMESPACE),
  uid: z.string().regex(POD_UID, 'must be a pod uid (21 of A-Z a-z 0-9 _ -)'),
  createdAt: time,
  phase: z.enum(['Pending', 'Running', 'SandboxLost', 'Recreating', 'Terminating', 'Stopped']),
  message: z.string().nullable(),
  ip: z.union([ipv4, z.literal('')]), // '' once released (stop), and for a hostNetwork pod
  hostIP: ipv4.optional(),
  prefix: z.number().int().min(8).max(30),
  gateway: ipv4,
  mac: z.union([z.string().regex(/^0a:58(:[0-9a-f]{2}){4}$/, 'must be 0a:58 and the four bytes of the IP'), z.literal('')]),
  bridge: z.string().regex(BRIDGE_NAME, 'must be a bridge name (1-15 of a-z A-Z 0-9 _ . -)'),
  nodeName: z.string().regex(DNS_SUBDOMAIN, 'must be a node name (a DNS subdomain)').optional(),
  sandbox: sandbox.nullable(),
  building: z.strictObject({ pid, startTime, netns, hostVeth: sandbox.shape.hostVeth }).nullable(),
  containers: z.array(container).min(1),
  initContainers: z.array(container).optional(),
  deletionTimestamp: time.nullable(),
  conditions: z.array(z.strictObject({ type: z.enum(['NetnsMismatch', 'SandboxLost']), message: z.string(), since: time })),
  manifest: podManifestSchema,
  timings: z.strictObject({ sandboxMs: ms, appsMs: ms, hostPortsMs: ms.optional(), phases: z.record(z.string(), ms).optional() }).nullable(),
  lastRecovery: recovery.nullable(),
});

// Compile-time: the schema's type is exactly PodRecord (a field added to one but not the other,
// or typed differently, fails the build here).
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
export type RecordSchemaMatchesPodRecord = Assert<Same<z.infer<typeof podRecordSchema>, PodRecord>>;
