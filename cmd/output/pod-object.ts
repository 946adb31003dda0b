// The pod as Kubernetes' API shows it (apiVersion v1, kind Pod), built from minipod's record: what
// `get -o json|yaml|jsonpath|name` print, so kubectl habits ({.status.podIP}) work. What only
// minipod has (the pause holder, the netns inode, the veth, its own phase) is under status.minipod.
import { constants } from 'node:os';
import { podEnded } from '../../lib/pod/completion.js';
import { allContainers, initFailed, initialized } from '../../lib/pod/init-status.js';
import { podIPOf } from '../../lib/pod/host-network.js';
import { sandboxDown } from '../../lib/pod/table.js';
import type { ContainerStatus, PodRecord, Termination } from '../../lib/pod/types.js';

export interface PodObject {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: Record<string, unknown> & { name: string; namespace: string; uid: string };
  spec: Record<string, unknown>;
  status: Record<string, unknown> & { phase: string; minipod: MinipodStatus };
}

/** minipod's own facts, beside Kubernetes' fields. */
export interface MinipodStatus {
  phase: PodRecord['phase'];
  sandbox: { pausePid: number; netns: string; hostVeth: string; attempt: number; createdAt: string } | null;
  bridge: string;
  mac: string;
  gateway: string;
  containers: { name: string; pid: number | null; runtime: string | null; netns: string | null; mntns: string | null; pidns: string | null }[];
}

export interface PodListObject {
  apiVersion: 'v1';
  kind: 'List';
  metadata: { resourceVersion: string };
  items: PodObject[];
}

/** Fields the manifest may carry once namespaces and annotations are supported; read if present. */
type MaybeMeta = { namespace?: string; annotations?: Record<string, string> };

export function podObject(r: PodRecord, nodeName: string): PodObject {
  const meta = r.manifest.metadata as PodRecord['manifest']['metadata'] & MaybeMeta;
  const phase = kubernetesPhase(r);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: r.name,
      namespace: meta.namespace ?? 'default',
      uid: r.uid,
      creationTimestamp: r.createdAt,
      ...(r.deletionTimestamp ? { deletionTimestamp: r.deletionTimestamp } : {}),
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ...(meta.ownerReferences ? { ownerReferences: meta.ownerReferences } : {}),
    },
    spec: { ...r.manifest.spec, nodeName: r.nodeName ?? nodeName },
    status: {
      phase,
      ...(r.message ? { message: r.message } : {}),
      ...(phase !== r.phase ? { reason: r.phase } : {}),
      conditions: conditions(r),
      // The node's address on the pod bridge (the pods' gateway); a hostNetwork pod's: the node's own, its IP too.
      hostIP: r.hostIP ?? r.gateway,
      hostIPs: [{ ip: r.hostIP ?? r.gateway }],
      ...(podIPOf(r) ? { podIP: podIPOf(r), podIPs: [{ ip: podIPOf(r) }] } : {}),
      startTime: r.createdAt,
      ...(r.initContainers ? { initContainerStatuses: r.initContainers.map((c) => containerStatus(c)) } : {}),
      containerStatuses: r.containers.map((c) => containerStatus(c, sandboxDown(r))),
      minipod: {
        phase: r.phase,
        sandbox: r.sandbox ? { pausePid: r.sandbox.pid, netns: r.sandbox.netns, hostVeth: r.sandbox.hostVeth, attempt: r.sandbox.attempt, createdAt: r.sandbox.createdAt } : null,
        bridge: r.bridge,
        mac: r.mac,
        gateway: r.gateway,
        containers: allContainers(r).map((c) => ({ name: c.name, pid: c.pid, runtime: c.runtime ?? null, netns: c.netns, mntns: c.mntns ?? null, pidns: c.pidns ?? null })),
      },
    },
  };
}

export function podListObject(records: PodRecord[], nodeName: string): PodListObject {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: records.map((r) => podObject(r, nodeName)) };
}

/**
 * Kubernetes has five phases: a sandbox being recovered is still Running (kubelet keeps the
 * phase while it recreates one); a pod whose containers have all ended for good, or that was
 * stopped, Succeeded if every one exited 0, else Failed.
 */
export function kubernetesPhase(r: PodRecord): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (r.phase === 'Pending') return 'Pending';
  // An init container that failed under restartPolicy Never fails the pod; until they all complete it is Pending.
  if (initFailed(r)) return 'Failed';
  if (r.phase === 'Running' && !initialized(r)) return 'Pending';
  if (r.phase === 'Stopped') return r.containers.every((c) => c.exitCode === 0) ? 'Succeeded' : 'Failed';
  return (r.phase === 'Running' && podEnded(r)) || 'Running'; // ended, its teardown not yet done
}

function conditions(r: PodRecord): Record<string, string>[] {
  const status = (ok: boolean) => (ok ? 'True' : 'False');
  const ready = !sandboxDown(r) && r.containers.every((c) => c.ready);
  return [
    { type: 'PodReadyToStartContainers', status: status(r.sandbox !== null) },
    { type: 'Initialized', status: status(initialized(r)) },
    { type: 'Ready', status: status(ready) },
    { type: 'ContainersReady', status: status(ready) },
    { type: 'PodScheduled', status: 'True' },
    // minipod's own (NetnsMismatch, SandboxLost), as Kubernetes allows extra condition types.
    ...r.conditions.map((c) => ({ type: c.type, status: 'True', message: c.message, lastTransitionTime: c.since })),
  ];
}

/**
 * kubectl's lastState: the run before the current one. The record keeps the latest end, which is
 * the current state itself for a container that ended and was not started again (Never, OnFailure
 * after a success): shown there, not twice.
 */
export function previousRun(c: ContainerStatus): ContainerStatus['lastState'] {
  return c.state === 'Terminated' && c.lastState?.finishedAt === c.finishedAt ? null : c.lastState;
}

function containerStatus(c: ContainerStatus, sandboxGone = false): Record<string, unknown> {
  const last = previousRun(c);
  return {
    name: c.name,
    state: state(c),
    lastState: last ? { terminated: terminated(last, c.containerID) } : {},
    ready: c.ready && !sandboxGone,
    restartCount: c.restartCount,
    started: c.state === 'Running',
    ...(c.image !== undefined ? { image: c.image, imageID: imageID(c.imageID) } : {}),
    ...(c.containerID ? { containerID: c.containerID } : {}),
  };
}

/** The image's ID as the CRI gives it, with its algorithm: sha256:HEX. */
export const imageID = (id: string | undefined): string => (id ? (id.includes(':') ? id : `sha256:${id}`) : '');

function state(c: ContainerStatus): Record<string, unknown> {
  if (c.state === 'Running') return { running: { startedAt: c.startedAt } };
  if (c.state === 'Waiting') return { waiting: { reason: c.reason ?? 'ContainerCreating', ...(c.message ? { message: c.message } : {}) } };
  return { terminated: terminated({ exitCode: c.exitCode, signal: c.signal, reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'), startedAt: c.startedAt, finishedAt: c.finishedAt ?? '' }, c.containerID) };
}

/** A death by signal is exit code 128+N, as the CRI reports it (137 for SIGKILL). */
function terminated(t: Termination, containerID: string | null | undefined): Record<string, unknown> {
  const signal = t.signal ? constants.signals[t.signal as NodeJS.Signals] : undefined;
  return {
    exitCode: t.exitCode ?? (signal ? 128 + signal : 0),
    ...(signal ? { signal } : {}),
    reason: t.reason,
    ...(t.startedAt ? { startedAt: t.startedAt } : {}),
    finishedAt: t.finishedAt,
    ...(containerID ? { containerID } : {}),
  };
}
