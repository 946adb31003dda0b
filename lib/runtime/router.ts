// The runtime the pod verbs call: a container with an image goes to an OCI runtime (oci.ts: runc,
// or crun — the pod's runtimeClassName, else the daemon's --oci-runtime), one without to nsenter
// (nsenter.ts), as a CRI runtime picks a handler per pod. Everything after the start is routed by
// the containerID the record keeps (`crun://…`), so a container stays with the runtime that
// started it across a daemon restart with another default.
import path from 'node:path';
import { kill } from '../os/host.js';
import type { Watchable } from '../process/exit.js';
import { NsenterRuntime } from './nsenter.js';
import { OciContainer, OciRuntime } from './oci.js';
import { DEFAULT_OCI_RUNTIME, OCI_RUNTIMES, type OciRuntimeName } from './oci-runtimes.js';
import { ConsoleDirs } from './tty.js';
import { runtimeOf, type ContainerRuntime, type ContainerSpec, type ExecSpec, type StartedContainer, type StartedExec } from './types.js';
import type { PidWatcher } from '../process/watcher.js';

export interface RouterOptions {
  pidsLimit?: number;
  /** The daemon's --oci-runtime. */
  ociRuntime?: OciRuntimeName;
  /** Run once before a runtime's first command (crun on a hybrid machine: crun-hybrid.ts). */
  prepare?: Partial<Record<OciRuntimeName, () => Promise<void>>>;
}

export class RuntimeRouter implements ContainerRuntime {
  readonly name = 'router';
  readonly nsenter: NsenterRuntime;
  readonly oci: Record<OciRuntimeName, OciRuntime>;
  private readonly ociDefault: OciRuntimeName;
  /** STATE/tty: the console sockets of `exec -t`, whichever runtime's. */
  private readonly consoles: ConsoleDirs;

  constructor(watcher: PidWatcher, stateDir: string, opts: RouterOptions = {}) {
    this.nsenter = new NsenterRuntime(watcher, stateDir);
    const active = new Set<string>();
    this.consoles = new ConsoleDirs(path.join(stateDir, 'tty'));
    const make = (name: OciRuntimeName) => new OciRuntime(name, watcher, stateDir, { active, consoles: this.consoles, ...(opts.pidsLimit !== undefined ? { pidsLimit: opts.pidsLimit } : {}), ...(opts.prepare?.[name] ? { prepare: opts.prepare[name] } : {}) });
    this.oci = { runc: make('runc'), crun: make('crun') };
    this.ociDefault = opts.ociRuntime ?? DEFAULT_OCI_RUNTIME;
  }

  /** The runtime that started a container, by its containerID. */
  private of(containerID: string | null | undefined): ContainerRuntime {
    const r = runtimeOf(containerID);
    return r === 'nsenter' ? this.nsenter : this.oci[r];
  }

  start(spec: ContainerSpec): Promise<StartedContainer> {
    return spec.image ? this.oci[spec.ociRuntime ?? this.ociDefault].start(spec) : this.nsenter.start(spec);
  }

  stop(proc: Watchable, graceMs: number): Promise<void> {
    return (proc instanceof OciContainer ? this.oci[proc.runtime] : this.nsenter).stop(proc, graceMs);
  }

  exec(spec: ExecSpec): Promise<StartedExec> {
    return this.of(spec.containerID).exec(spec);
  }

  signal(pid: number, signal: NodeJS.Signals): boolean {
    return kill(pid, signal);
  }

  adopt(pid: number, startTime: string, containerID?: string | null): Watchable {
    return this.of(containerID).adopt(pid, startTime, containerID);
  }

  async list(): Promise<string[]> {
    return [...(await this.nsenter.list()), ...(await Promise.all(OCI_RUNTIMES.map((r) => this.oci[r].list()))).flat()];
  }

  execLeftovers(): Promise<string[]> {
    return this.consoles.leftovers();
  }

  exitStatus(containerID: string): ReturnType<ContainerRuntime['exitStatus']> {
    return this.of(containerID).exitStatus(containerID);
  }

  remove(containerID: string): Promise<void> {
    return this.of(containerID).remove(containerID);
  }

  inspect(pid: number | null, startTime: string | null | undefined, netns: string): Promise<boolean> {
    return this.nsenter.inspect(pid, startTime, netns);
  }
}
