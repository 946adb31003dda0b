// The record of a pod about to be created: Pending, every container Waiting, no IP or sandbox
// yet (create.ts fills them in, persisting each before the kernel object exists).
import path from 'node:path';
import { nanoid } from 'nanoid';
import type { PodManifest } from '../manifest/pod-spec.js';
import { podKey } from '../manifest/pod-key.js';
import type { PodContext } from './live.js';
import type { ContainerStatus, PodRecord } from './types.js';

/** STATE/logs/KEY: the pod's key (key.ts), so two namespaces' pods of one name keep apart. */
export function logDir(ctx: PodContext, key: string): string {
  return path.join(ctx.node.stateDir, 'logs', key);
}

export function newRecord(ctx: PodContext, manifest: PodManifest): PodRecord {
  const logs = logDir(ctx, podKey(manifest.metadata.namespace, manifest.metadata.name));
  const inits = manifest.spec.initContainers ?? [];
  return {
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace,
    uid: nanoid(),
    createdAt: new Date().toISOString(),
    phase: 'Pending',
    message: null,
    ip: '',
    prefix: ctx.node.subnet.prefix,
    gateway: ctx.node.subnet.gateway,
    mac: '',
    bridge: ctx.node.bridge,
    nodeName: ctx.node.name,
    sandbox: null,
    building: null,
    deletionTimestamp: null,
    containers: manifest.spec.containers.map((c) => waiting(c.name, logs, inits.length ? 'PodInitializing' : 'ContainerCreating')),
    ...(inits.length ? { initContainers: inits.map((c) => waiting(c.name, logs, 'PodInitializing')) } : {}),
    conditions: [],
    manifest,
    timings: null,
    lastRecovery: null,
  };
}

/** A container not started yet: the apps of a pod with init containers wait for them (PodInitializing). */
function waiting(name: string, logs: string, reason: string): ContainerStatus {
  return { name, state: 'Waiting', reason, ready: false, pid: null, netns: null, restartCount: 0, startedAt: null, finishedAt: null, exitCode: null, signal: null, lastState: null, crashes: 0, restartAt: null, argv: [], logPath: path.join(logs, `${name}.log`) };
}
