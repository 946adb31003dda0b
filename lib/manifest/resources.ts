// A container's resources as numbers the cgroups take, from its manifest's quantities. Pure.
// As Kubernetes defaults it, a request not given but a limit given is the limit.
import type { ContainerSpec } from './pod-spec.js';
import { bytesOf, milliCpu, parseResourceQuantity } from './quantity.js';

export interface ContainerResources {
  /** Bytes, or null for no limit. */
  memoryLimit: number | null;
  /** milliCPU: the CFS quota's share of one core per period; null for none. */
  cpuLimit: number | null;
  /** milliCPU: the CPU weight (cpu.shares) against the node's other work; null for the runtime's default. */
  cpuRequest: number | null;
}

const value = (q: string | number | undefined) => (q === undefined ? undefined : parseResourceQuantity(q));

export function containerResources(spec: Pick<ContainerSpec, 'resources'>): ContainerResources {
  const limits = spec.resources?.limits ?? {};
  const requests = spec.resources?.requests ?? {};
  const memory = value(limits.memory);
  const cpu = value(limits.cpu);
  const request = value(requests.cpu) ?? cpu;
  return {
    memoryLimit: memory === undefined ? null : bytesOf(memory),
    cpuLimit: cpu === undefined ? null : milliCpu(cpu),
    cpuRequest: request === undefined ? null : milliCpu(request),
  };
}
