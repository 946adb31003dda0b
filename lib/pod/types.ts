// The pod record: what the store persists, what `minipod inspect` prints.
import type { PodManifest } from '../spec/pod-spec.js';
import type { PodPhase } from './state.js';

export type ContainerState = 'Waiting' | 'Running' | 'Terminated';

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  /** Running and, if it declares ports, listening on all of them (computed on read). */
  ready: boolean;
  pid: number | null;
  netns: string | null;
  restartCount: number;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  reason: string | null; // Completed, Error, Killed, StartError
  argv: string[]; // resolved command + args
  logPath: string;
}

export interface SandboxStatus {
  pid: number;
  netns: string;
  attempt: number; // sandbox generations replaced so far; 0 for the first
  hostVeth: string;
  createdAt: string;
}

export interface PodRecord {
  name: string;
  uid: string;
  createdAt: string;
  phase: PodPhase;
  message: string | null;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
  bridge: string;
  sandbox: SandboxStatus | null;
  containers: ContainerStatus[];
  manifest: PodManifest;
  /** Milliseconds of the last creation: API call → sandbox wired, → all apps spawned. */
  timings: { sandboxMs: number; appsMs: number } | null;
}
