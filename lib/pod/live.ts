// What the daemon holds for a pod beyond its record: the child processes it watches, timers,
// and the pod's lock. Shared by the verb files (create, stop, remove, recover), the supervisor and the manager.
import type { IpBatch } from '../os/ip-batch.js';
import type { Proc } from '../os/host.js';
import type { PodCgroups } from '../cgroup/pods.js';
import type { Watchable } from '../process/exit.js';
import type { PidWatcher } from '../process/watcher.js';
import type { HolderPool } from '../sandbox/pool.js';
import type { Subnet } from '../network/ipam.js';
import type { HostPorts } from '../network/hostports.js';
import type { LeaseStore } from '../store/leases.js';
import type { PodStore } from '../store/pod-store.js';
import type { EventLog } from '../supervisor/events.js';
import type { BackoffConfig } from './plan.js';
import type { ContainerRuntime } from '../runtime/types.js';
import type { ImageConfig } from '../manifest/command.js';
import type { PodRecord } from './types.js';
import type { OciRuntimeName } from '../runtime/oci-runtimes.js';

export interface NodeConfig {
  /** The node's name (`--node-name`, default the hostname): spec.nodeName to the downward API. */
  name: string;
  stateDir: string;
  /** Where each pod's `ip netns` name is made (sandbox/netns-name.ts): /run/netns, the node's own in a node. */
  netnsDir: string;
  bridge: string;
  subnet: Subnet;
  /** Each pod's cgroup: what the pod started is killed with it, wherever it went. */
  cgroups: PodCgroups;
  /** The pids limit of each image container (`--pids-limit`); cgroup/pod-pids.ts's DEFAULT_PIDS_LIMIT if unset. */
  pidsLimit?: number;
  /** The OCI runtime of image containers (`--oci-runtime`, runtime/oci-runtimes.ts; runc if unset). */
  ociRuntime?: OciRuntimeName;
  /** Makes crun usable before its first container (runtime/crun-hybrid.ts); an error if it cannot be here. */
  prepareCrun?: () => Promise<void>;
}

/** What events about the node rather than one pod are recorded against (`minipod events` lists them as (node)). */
export const NODE_SUBJECT = { name: '(node)', uid: '-' } as const;

/** The parts a pod operation uses. */
export interface PodContext {
  node: NodeConfig;
  ip: IpBatch;
  /** A second ip -batch for deletions: a veth delete takes ~20 ms in the kernel and must not
   * hold up the creation of the next sandbox queued behind it. */
  ipTeardown: IpBatch;
  pool: HolderPool;
  /** Watches the processes a restarted daemon re-adopts (they are not its children). */
  watcher: PidWatcher;
  /** Starts, stops and re-adopts the containers (runtime/nsenter.ts). */
  runtime: ContainerRuntime;
  /** Where a container's image is found. */
  images: ImageResolver;
  /** Settles once the node's network is made (a daemon's boot: manager.ts init): a recovery waits for it. */
  network?: Promise<unknown>;
  store: PodStore;
  leases: LeaseStore;
  events: EventLog;
  backoff: BackoffConfig;
  ips: IpAllocator;
  /** Published hostPorts (network/hostports.ts); absent without the node's NAT table (no --egress, or no nft). */
  hostPorts?: HostPorts;
  /** Called when a watched holder dies or the sandbox must be replaced. */
  onSandboxLost(live: LivePod, cause: string): void;
  /** Called when an app exits on its own (not stopped by us). */
  onContainerExit(live: LivePod, name: string): void;
  /** Called when a container's image is not on the node: it waits (ErrImageNeverPull), to be tried again. */
  onImageMissing(live: LivePod, name: string): void;
}

/** An image as the pod verbs need it (lib/image's store provides it). */
export interface ResolvedImage {
  /** The image ID (its config's digest) and the reference it was found by. */
  id: string;
  ref: string;
  /** Its layers, unpacked, lowest first. */
  layerDirs: string[];
  config: ImageConfig;
}

export interface ImageResolver {
  /** undefined: no such image (nothing is ever pulled: `minipod image import` stores one). */
  resolve(ref: string): Promise<ResolvedImage | undefined>;
}

export interface IpAllocator {
  allocate(owner: string): Promise<string>;
  /** The lease of an address allocate gave is on the disk (its fsync done). */
  durable(ip: string): Promise<void>;
  release(ip: string, owner?: string): Promise<void>;
}

export interface LivePod {
  record: PodRecord;
  /** Our child, or a process adopted from the daemon before us (process/watcher.ts). */
  holder: Watchable | null;
  apps: Map<string, Watchable>;
  /** Apps we are stopping on purpose: their exit is expected, not a death. */
  stopping: Set<string>;
  /** Pending CrashLoopBackOff restarts, by container. */
  restartTimers: Map<string, NodeJS.Timeout>;
  /** The pending retry of a sandbox recovery that failed (supervisor.ts). */
  sandboxRetry: NodeJS.Timeout | undefined;
  /** Commands run by `minipod exec`: stopped with the pod, so none outlives its sandbox. */
  execs: Set<Proc>;
  /** Apps that exited while the pod was being created or recreated: decided once it runs. */
  exitedWhileBusy: Set<string>;
  /** Set by stop/rm: a recovery in progress gives up at its next step. */
  terminating: boolean;
  /** Set once `rm` is answered: the teardown going on in the background (gone for the user). */
  removal?: Promise<void>;
  lock: Promise<unknown>;
}

export function newLivePod(record: PodRecord): LivePod {
  return { record, holder: null, apps: new Map(), stopping: new Set(), restartTimers: new Map(), sandboxRetry: undefined, execs: new Set(), exitedWhileBusy: new Set(), terminating: false, lock: Promise.resolve() };
}

/** Forget every pending restart and sandbox retry (stop, or a daemon leaving the pod running). */
export function cancelTimers(live: LivePod): void {
  for (const timer of live.restartTimers.values()) clearTimeout(timer);
  live.restartTimers.clear();
  clearTimeout(live.sandboxRetry);
  live.sandboxRetry = undefined;
}

/** Run fn after every operation already queued on this pod. */
export function withLock<T>(live: LivePod, fn: () => Promise<T>): Promise<T> {
  const next = live.lock.then(fn, fn);
  live.lock = next.catch(() => {});
  return next;
}

export const epochMs = () => performance.timeOrigin + performance.now();
export const round = (ms: number) => Math.round(ms * 10) / 10;
