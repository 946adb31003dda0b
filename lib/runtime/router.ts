// The runtime the pod verbs call: a container with an image goes to the OCI runtime (runc.ts),
// one without to nsenter (nsenter.ts), as a CRI runtime picks a handler per pod. A re-adopted
// container is routed by the containerID its record keeps.
import { kill, type Proc } from '../os/host.js';
import type { Watchable } from '../process/exit.js';
import { NsenterRuntime } from './nsenter.js';
import { RuncContainer, RuncRuntime } from './runc.js';
import { runtimeOf, type ContainerRuntime, type ContainerSpec, type ExecSpec, type StartedContainer } from './types.js';
import type { PidWatcher } from '../process/watcher.js';

export class RuntimeRouter implements ContainerRuntime {
  readonly name = 'router';
  readonly nsenter: NsenterRuntime;
  readonly runc: RuncRuntime;

  constructor(watcher: PidWatcher, stateDir: string, pidsLimit?: number) {
    this.nsenter = new NsenterRuntime(watcher, stateDir);
    this.runc = new RuncRuntime(watcher, stateDir, pidsLimit);
  }

  start(spec: ContainerSpec): Promise<StartedContainer> {
    return spec.image ? this.runc.start(spec) : this.nsenter.start(spec);
  }

  stop(proc: Watchable, graceMs: number): Promise<void> {
    return (proc instanceof RuncContainer ? this.runc : this.nsenter).stop(proc, graceMs);
  }

  exec(spec: ExecSpec): Promise<{ proc: Proc }> {
    return runtimeOf(spec.containerID) === 'runc' ? this.runc.exec(spec) : this.nsenter.exec(spec);
  }

  signal(pid: number, signal: NodeJS.Signals): boolean {
    return kill(pid, signal);
  }

  adopt(pid: number, startTime: string, containerID?: string | null): Watchable {
    return runtimeOf(containerID) === 'runc' ? this.runc.adopt(pid, startTime, containerID) : this.nsenter.adopt(pid, startTime, containerID);
  }

  async list(): Promise<string[]> {
    return [...(await this.nsenter.list()), ...(await this.runc.list())];
  }

  execLeftovers(): Promise<string[]> {
    return this.runc.execLeftovers();
  }

  exitStatus(containerID: string): ReturnType<ContainerRuntime['exitStatus']> {
    return runtimeOf(containerID) === 'runc' ? this.runc.exitStatus(containerID) : this.nsenter.exitStatus(containerID);
  }

  remove(containerID: string): Promise<void> {
    return runtimeOf(containerID) === 'runc' ? this.runc.remove(containerID) : this.nsenter.remove(containerID);
  }

  inspect(pid: number | null, startTime: string | null | undefined, netns: string): Promise<boolean> {
    return this.nsenter.inspect(pid, startTime, netns);
  }
}
