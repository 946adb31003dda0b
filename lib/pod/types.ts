// The pod record: what the store persists, what `minipod inspect` prints.
import type { PodManifest } from '../manifest/pod-spec.js';
import type { PodPhase } from './state.js';

export type ContainerState = 'Waiting' | 'Running' | 'Terminated';

/** How a container's previous run ended (kubectl's lastState.terminated). */
export interface Termination {
  exitCode: number | null;
  signal: string | null;
  reason: string; // Completed, Error, Killed, OOMKilled, SandboxChanged
  startedAt: string | null;
  finishedAt: string;
}

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  /** Waiting: ContainerCreating, PodInitializing, CrashLoopBackOff, ErrImageNeverPull, CreateContainerConfigError or RunContainerError; Terminated: Completed, Error, Killed, OOMKilled. */
  reason: string | null;
  /** Why it waits, in words (ErrImageNeverPull: what to import). */
  message?: string | null;
  /** Running and, with a readinessProbe, passing it (lib/probe/); without one, listening on every declared port. */
  ready: boolean;
  /** Its startupProbe has passed in this run (kubelet's started); absent without one. */
  started?: boolean;
  pid: number | null;
  /** With pid, the process's identity (see lib/process/identity.ts). */
  startTime?: string | null;
  netns: string | null;
  restartCount: number;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  lastState: Termination | null;
  /** Crashes in a row, for the restart back-off. */
  crashes: number;
  /** When a container waiting in CrashLoopBackOff starts again. */
  restartAt: string | null;
  argv: string[]; // resolved command + args ([] while its image is missing)
  logPath: string;
  /** A container with an image: the reference as the manifest gives it, and the image ID it resolved to at its last start. */
  image?: string;
  imageID?: string;
  /** The runtime's name for the running container (`runc://ID`, `crun://ID`), as Kubernetes' containerID. */
  containerID?: string | null;
  /** Shown by inspect (read live, never stored): what runs it, and its own mount and PID namespaces. */
  runtime?: 'runc' | 'crun' | 'nsenter';
  mntns?: string | null;
  pidns?: string | null;
}

export interface SandboxStatus {
  pid: number;
  startTime?: string | null; // the holder's, with pid its identity
  netns: string; // a hostNetwork pod's: the node's own
  attempt: number; // sandbox generations replaced so far; 0 for the first
  hostVeth: string; // '' for a hostNetwork pod: none
  createdAt: string;
}

/** One sandbox recovery, phase by phase (milliseconds). */
export interface RecoveryTimeline {
  cause: string; // "pause 123 killed by SIGKILL", "NetnsMismatch: …"
  action: 'recreate' | 'rejoin' | 'stop';
  attempt: number;
  detectedAt: number; // epoch ms (sub-ms precision) when the daemon was told
  detectMs: number; // told → recovery started (waiting for the pod's lock)
  stopAppsMs: number;
  teardownMs: number; // old veth removal, after the old apps stop, beside the new apps' start
  sandboxMs: number; // holder spawned, namespaces exist
  networkMs: number; // veth wired, eth0 addressed and routed
  appsMs: number; // every app spawned inside the new namespaces
  totalMs: number;
  wiredAt: number; // epoch ms: the new sandbox's network is ready
  appsStartedAt: number; // epoch ms: every app spawned
}

export interface PodCondition {
  type: 'NetnsMismatch' | 'SandboxLost';
  message: string;
  since: string;
}

export interface PodRecord {
  name: string;
  /** metadata.namespace; a record written before namespaces has none and is read as `default`. */
  namespace: string;
  uid: string;
  createdAt: string;
  phase: PodPhase;
  message: string | null;
  ip: string;
  /** The node's address (status.hostIP), kept for a hostNetwork pod: its IP (pod/host-network.ts). */
  hostIP?: string;
  prefix: number;
  gateway: string;
  mac: string;
  bridge: string;
  /** The node the pod was made on (the daemon's --node-name), as the scheduler binds spec.nodeName; absent in older records. */
  nodeName?: string;
  sandbox: SandboxStatus | null;
  /** The sandbox being built (create, recreate), persisted before its veth exists: what a
   * daemon that died mid-build left behind is found through it. */
  building: { pid: number; startTime?: string | null; netns: string; hostVeth: string } | null;
  containers: ContainerStatus[];
  /** The manifest's initContainers, in order (absent when it has none, and in older records). */
  initContainers?: ContainerStatus[];
  /** Set (and persisted) when removal starts, as in Kubernetes: a restarted daemon finishes it. */
  deletionTimestamp: string | null;
  conditions: PodCondition[];
  manifest: PodManifest;
  /** Milliseconds of the creation: API call → sandbox wired, → all apps spawned; publishing its hostPorts (if any);
   * the steps until the sandbox was wired, each (absent in older records). */
  timings: { sandboxMs: number; appsMs: number; hostPortsMs?: number; phases?: Record<string, number> } | null;
  lastRecovery: RecoveryTimeline | null;
}
