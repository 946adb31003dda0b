// The container runtime seam: how one container is started, stopped, signalled, re-adopted and
// inspected, whatever runs it: nsenter.ts (a host process joined to the pod's namespaces) or oci.ts
// (runc or crun running a bundle); the pod verbs do not change. The pod sandbox (the pause holder, its veth) is not the runtime's: it is made first, by
// lib/sandbox, and the runtime is told which one to join, as a CRI runtime is given a sandbox id.
import type { ContainerResources } from '../manifest/resources.js';
import type { EffectiveSecurity } from '../manifest/security.js';
import type { VolumeBind } from './oci-config.js';
import type { WindowSize } from '../api/frames.js';
import type { Proc } from '../os/host.js';
import type { Watchable } from '../process/exit.js';
import { OCI_RUNTIMES, type OciRuntimeName } from './oci-runtimes.js';

/** Which runtime runs a container, from the containerID its record keeps (`runc://ID`, `crun://ID`; `nsenter://ID`, or none from an older daemon: nsenter). */
export function runtimeOf(containerID: string | null | undefined): OciRuntimeName | 'nsenter' {
  return OCI_RUNTIMES.find((r) => containerID?.startsWith(`${r}://`)) ?? 'nsenter';
}

/** One container to start, in a sandbox that exists: what a CRI CreateContainer would carry. */
export interface ContainerSpec {
  /** The pod's and the container's names (a runtime may name its objects after them). */
  pod: string;
  name: string;
  /** A process in the sandbox (its holder), whose network, UTS and IPC namespaces it joins. */
  sandboxPid: number;
  /** The sandbox's network namespace, e.g. "net:[4026532636]": where it must end up. */
  netns: string;
  /** argv[0] resolved to an absolute path. */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** stdout and stderr go here, appended, opened by the runtime (never through a symlink). */
  logPath: string;
  /** The pod's (unified) cgroup, below which an OCI runtime makes the container's own; null where pods get none. */
  cgroup: string | null;
  /** argv run inside the pod's cgroups (rootfs/cgexec), for a container without an image. */
  inPodCgroup: (argv: string[]) => string[];
  /** The pod's IP (an image container's /etc/hosts names the pod on it). */
  podIP: string;
  /** The pod shares one PID namespace (shareProcessNamespace): join the holder's instead of a new one. */
  sharePid?: boolean;
  /** hostNetwork: the node's network and UTS namespaces (the holder is in them), the node's hostname and /etc/hosts. */
  hostNetwork?: boolean;
  /** CPU and memory limits and CPU weight (the OCI runtime applies them; nsenter does not). */
  resources?: ContainerResources;
  /** Set for a container with an image: it runs under the OCI runtime, in a root filesystem of its layers. */
  image?: ImageRootfs;
  /** The OCI runtime for it (the pod's runtimeClassName); unset: the daemon's --oci-runtime. */
  ociRuntime?: OciRuntimeName;
  /** Its securityContext, both levels merged. With an image, image.user already has runAsUser and
   * runAsGroup applied; without, only they are taken (nsenter --setuid/--setgid). */
  security?: EffectiveSecurity;
  /** The pod's volumes it mounts (only with an image: the manifest refuses them without). */
  volumes?: VolumeBind[];
}

/** An image as a container needs it: its layers, unpacked, lowest first. */
export interface ImageRootfs {
  ref: string;
  id: string;
  layerDirs: string[];
  user: { uid: number; gid: number };
}

/** A container just spawned: its process now, where it ended up once it has joined the sandbox. */
export interface StartedContainer {
  /** Its pid is the container's own process (inside the pod's network namespace); 'exit' once. */
  proc: Watchable & { pid?: number | undefined };
  /** The runtime's name for it, as Kubernetes shows a containerID: `runc://ID`, `crun://ID` or `nsenter://ID`. */
  id?: string;
  /** The process's start time (pid + start time identify it) and whether it is in the sandbox's netns. */
  settled: Promise<{ startTime: string | null; inSandbox: boolean }>;
}

/** A command to run in a running container (`minipod exec`), as a CRI ExecSync/Exec carries it. */
export interface ExecSpec {
  pod: string;
  /** The pod's holder: a container without its own namespaces is entered through it. */
  sandboxPid: number;
  /** The runtime's name for the container (`runc://ID`, `crun://ID`, `nsenter://ID`); null in an older record. */
  containerID: string | null;
  argv: string[];
  /** The container's env (manifest over defaults), for a container without an image: one with an
   * image is entered with its config.json's process, whose env is the image's and the manifest's. */
  env?: Record<string, string>;
  /** argv run inside the pod's cgroup (a container with an image is in its own, by its runtime). */
  inPodCgroup: (argv: string[]) => string[];
  /** As this uid and gid (a container without an image with runAsUser/runAsGroup); an OCI runtime's exec takes the container's own. */
  user?: { uid: number; gid: number } | undefined;
  /** Run it on a terminal of this size (rootfs/ptyrelay): its stdin then carries exec frames
   * (input and resize), its stdout is the terminal's output; without, stdio is piped as it is. */
  tty?: WindowSize;
}

/** An exec's process; and, where the command is not in its process group (`runc exec`: the
 * command leads a session of its own inside the container), how to signal the command itself. */
export interface StartedExec {
  proc: Proc;
  signalCommand?: (signal: NodeJS.Signals) => Promise<void>;
  /** Why minipod ended it (a stop, a recovery, a shutdown); undefined while it runs or if it ended by itself. */
  endedBecause?: () => string | undefined;
  /** The exit code to report for the one it ended with: a runtime that could not start the command says 127 or 126. */
  exitCode?: (code: number) => Promise<number>;
}

export interface ContainerRuntime {
  readonly name: string;
  /** Spawn the container. Returns without awaiting after the spawn: the caller records the process before anything else can happen. */
  start(spec: ContainerSpec): Promise<StartedContainer>;
  /** SIGTERM, then SIGKILL after graceMs; resolves once it has exited. Idempotent. */
  stop(proc: Watchable, graceMs: number): Promise<void>;
  /** Send a signal (`minipod kill`); false if it is gone. */
  signal(pid: number, signal: NodeJS.Signals): boolean;
  /** Watch a container a daemon before us started; its exit arrives as an 'exit' event. */
  adopt(pid: number, startTime: string, containerID?: string | null): Watchable;
  /** Whether pid is still the very process recorded (pid and start time) and is inside netns. */
  inspect(pid: number | null, startTime: string | null | undefined, netns: string): Promise<boolean>;
  /** How a container that is gone ended, if the runtime kept it (the shim's status file); for a daemon that was not there. */
  exitStatus(containerID: string): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined>;
  /** Start a command in the container, stdio piped; the caller tracks and stops it. (Wrapped: a
   * Proc is a thenable, which a promise would wait for.) */
  exec(spec: ExecSpec): Promise<StartedExec>;
  /** The containerIDs it holds state for (a bundle, a mount, runtime state), for gc. */
  list(): Promise<string[]>;
  /** Remove everything it holds for a container no record names (gc); idempotent. */
  remove(containerID: string): Promise<void>;
  /** What an `exec -t` of a daemon killed during it left: its console socket directories (gc removes them). */
  execLeftovers(): Promise<string[]>;
}
