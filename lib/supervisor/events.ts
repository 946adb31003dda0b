// Lifecycle events (SandboxCreated, NetworkReady, ContainerStarted, ContainerDied, Killing, …):
// a bounded in-memory log the API serves and streams, each line also logged through pino.
import { EventEmitter } from 'node:events';
import { podLogger } from '../log.js';
import { DEFAULT_NAMESPACE } from '../manifest/names.js';

export interface PodEvent {
  time: string;
  pod: string;
  /** The pod's (or Deployment's) namespace; always set by record (optional for older clients' types). */
  namespace?: string;
  podUid: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  container?: string;
}

/** The oldest go first: the API serves the last MAX_EVENTS (README, "Benchmarks"). */
export const MAX_EVENTS = 5000;

export class EventLog extends EventEmitter {
  private readonly events: PodEvent[] = [];

  record(pod: { name: string; namespace?: string; uid: string }, reason: string, message: string, extra: { type?: PodEvent['type']; container?: string } = {}): void {
    const event: PodEvent = {
      time: new Date().toISOString(),
      pod: pod.name,
      namespace: pod.namespace ?? DEFAULT_NAMESPACE,
      podUid: pod.uid,
      type: extra.type ?? 'Normal',
      reason,
      message,
      ...(extra.container ? { container: extra.container } : {}),
    };
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    podLogger(pod).info({ reason, container: extra.container }, message);
    this.emit('event', event);
  }

  /** How many events are held (at most MAX_EVENTS). */
  get size(): number {
    return this.events.length;
  }

  /** namespace undefined: every namespace's. */
  list(pod?: string, namespace?: string): PodEvent[] {
    return this.events.filter((e) => (!pod || e.pod === pod) && (!namespace || (e.namespace ?? DEFAULT_NAMESPACE) === namespace));
  }
}
