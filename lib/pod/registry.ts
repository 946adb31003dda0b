// The pods a daemon holds, by key (key.ts: namespace and name): what every verb looks a pod up in.
// A pod being removed (`rm` answered, its teardown going on in the background) is held until the
// teardown is done but is gone for the user: not listed, not found by key.
import { MinipodError } from '../errors.js';
import { keyOf, listFlag, podTitle } from '../manifest/pod-key.js';
import type { LivePod } from './live.js';
import type { PodRecord } from './types.js';
import { byText } from '../util/order.js';

export class PodRegistry {
  private readonly pods = new Map<string, LivePod>();

  /** Whether a pod holds the key, one being removed included. */
  has(key: string): boolean {
    return this.pods.has(key);
  }

  /** The teardown still holding key (the pod is gone for the user, not yet for the kernel). */
  removal(key: string): Promise<void> | undefined {
    return this.pods.get(key)?.removal;
  }

  /** Every teardown under way. */
  removals(): Promise<void>[] {
    return this.all().flatMap((p) => (p.removal ? [p.removal] : []));
  }

  /** The pod of that key, or NOT_FOUND with the command that lists them. */
  live(key: string): LivePod {
    const live = this.pods.get(key);
    if (!live || live.removal) throw new MinipodError('NOT_FOUND', `${podTitle(key)} not found: \`minipod ps${listFlag(key)}\` lists the pods`);
    return live;
  }

  /** Whether live is still the pod registered under its name (not removed, nor replaced). */
  holds(live: LivePod): boolean {
    return this.pods.get(keyOf(live.record)) === live;
  }

  add(live: LivePod): void {
    this.pods.set(keyOf(live.record), live);
  }

  delete(key: string): void {
    this.pods.delete(key);
  }

  all(): LivePod[] {
    return [...this.pods.values()];
  }

  /** The records, oldest first; `removing`: also those of pods being removed. */
  list(removing = false): PodRecord[] {
    return this.all().filter((p) => removing || !p.removal).map((p) => p.record).sort((a, b) => byText(a.createdAt, b.createdAt));
  }

  /** The log file of every running container: what the log rotation checks. */
  runningLogs(): string[] {
    return this.all().flatMap((p) => p.record.containers.filter((c) => c.pid !== null).map((c) => c.logPath));
  }
}

