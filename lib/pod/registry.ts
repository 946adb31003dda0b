// The pods a daemon holds, by name: what every verb looks a pod up in.
import { MinipodError } from '../errors.js';
import type { LivePod } from './live.js';
import type { PodRecord } from './types.js';

export class PodRegistry {
  private readonly pods = new Map<string, LivePod>();

  has(name: string): boolean {
    return this.pods.has(name);
  }

  /** The pod named name, or NOT_FOUND with the command that lists them. */
  live(name: string): LivePod {
    const live = this.pods.get(name);
    if (!live) throw new MinipodError('NOT_FOUND', `pod ${name} not found: \`minipod ps\` lists the pods`);
    return live;
  }

  /** Whether live is still the pod registered under its name (not removed, nor replaced). */
  holds(live: LivePod): boolean {
    return this.pods.get(live.record.name) === live;
  }

  add(live: LivePod): void {
    this.pods.set(live.record.name, live);
  }

  delete(name: string): void {
    this.pods.delete(name);
  }

  all(): LivePod[] {
    return [...this.pods.values()];
  }

  /** The records, oldest first. */
  list(): PodRecord[] {
    return this.all().map((p) => p.record).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The log file of every running container: what the log rotation checks. */
  runningLogs(): string[] {
    return this.all().flatMap((p) => p.record.containers.filter((c) => c.pid !== null).map((c) => c.logPath));
  }
}
