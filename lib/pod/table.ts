// Pods as kubectl's table shows them, made where the records are. `GET /pods` with kubectl's
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` answers with these rows instead of the
// records, as Kubernetes' server-side printing does: a listing then moves a few cells a pod, not
// the whole record, and the daemon reads no more of /proc than READY needs. The CLI makes the same
// rows from the records it fetched by name (`get pod web`). Pure: no I/O.
import { DEFAULT_NAMESPACE } from '../manifest/names.js';
import { age } from '../util/age.js';
import { podEnded, stoppedStatus } from './completion.js';
import { podIPOf } from './host-network.js';
import { allContainers, initStatus } from './init-status.js';
import type { ContainerStatus, PodRecord } from './types.js';

/** The Accept value that asks for a Table (Kubernetes' own; any other answer is the records). */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** meta.k8s.io/v1 Table, the part minipod fills: -o wide shows the columns of priority 1 too. */
export interface PodTable {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  columnDefinitions: { name: string; priority: 0 | 1 }[];
  rows: { cells: string[]; object: { metadata: { name: string; namespace: string } } }[];
}

export const POD_HEAD = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP'];
export const WIDE_HEAD = [...POD_HEAD, 'NODE', 'PAUSE', 'NETNS', 'VETH'];

/** kubectl's STATUS: the phase, unless a container's state says more (Error, Completed…). */
export function podStatus(p: PodRecord): string {
  const mismatch = p.conditions?.find((c) => c.type === 'NetnsMismatch');
  if (mismatch) return mismatch.type;
  // An ended pod's teardown (not a deletion) reads as it ended, not Terminating.
  if (p.phase === 'Stopped' || (p.phase === 'Terminating' && !p.deletionTimestamp && podEnded(p))) return stoppedStatus(p);
  if (p.phase !== 'Running') return p.phase;
  const init = initStatus(p);
  if (init) return init;
  const waiting = p.containers.find((c) => c.state !== 'Running');
  const reason = waiting?.reason ?? (waiting ? waiting.state : 'Running');
  // kubectl's rule: one container completed and another still running is no finished pod.
  if (reason === 'Completed' && p.containers.some((c) => c.state === 'Running')) return !sandboxDown(p) && p.containers.every((c) => c.ready) ? 'Running' : 'NotReady';
  return reason;
}

/** Its sandbox is being rebuilt (its holder died): its containers serve nothing meanwhile, whatever their processes, so none is ready. */
export const sandboxDown = (p: Pick<PodRecord, 'phase'>): boolean => p.phase === 'SandboxLost' || p.phase === 'Recreating';

/**
 * NAME, READY, STATUS, RESTARTS, AGE, IP; wide adds NODE (node: for a record older than its
 * nodeName), the pause pid, its net:[inode] and the host veth. ready: whether a container counts
 * as ready (the daemon also checks that its process is still there: lib/pod/readiness.ts).
 */
export function podRow(p: PodRecord, wide: boolean, node: string, now = Date.now(), ready = (c: ContainerStatus) => c.ready): string[] {
  const restarts = allContainers(p).reduce((n, c) => n + c.restartCount, 0);
  const row = [p.name, `${sandboxDown(p) ? 0 : p.containers.filter(ready).length}/${p.containers.length}`, podStatus(p), String(restarts), age(p.createdAt, now), podIPOf(p) || '<none>'];
  if (!wide) return row;
  return [...row, p.nodeName ?? node, p.sandbox ? String(p.sandbox.pid) : '<none>', p.sandbox?.netns ?? '<none>', p.sandbox?.hostVeth || '<none>']; // '': hostNetwork, none
}

/** The pods as a Table, every column in each row (the wide ones of priority 1). */
export function podTable(pods: PodRecord[], node: string, now = Date.now(), ready?: (c: ContainerStatus) => boolean): PodTable {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    columnDefinitions: WIDE_HEAD.map((name) => ({ name, priority: POD_HEAD.includes(name) ? 0 : 1 })),
    rows: pods.map((p) => ({ cells: podRow(p, true, node, now, ready), object: { metadata: { name: p.name, namespace: p.namespace ?? DEFAULT_NAMESPACE } } })),
  };
}

/**
 * An Accept header that asks for a Table: one of its media ranges is application/json with as=Table
 * (and, if given, g=meta.k8s.io and v=v1), as kubectl sends. Anything else gets the records.
 */
export function asksForTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((p) => p.trim());
    const param = new Map(params.map((p) => [p.slice(0, p.indexOf('=')).toLowerCase(), p.slice(p.indexOf('=') + 1)] as const));
    return type?.toLowerCase() === 'application/json' && param.get('as') === 'Table' && (param.get('g') ?? 'meta.k8s.io') === 'meta.k8s.io' && (param.get('v') ?? 'v1') === 'v1';
  });
}
