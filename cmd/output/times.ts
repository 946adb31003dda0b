// Times as the CLI prints them: relative ages in tables (kubectl's duration.HumanDuration), and
// RFC 3339 in JSON. The records keep what they always kept (a process's start time in clock
// ticks after boot: its identity with the pid; a recovery's phases in epoch milliseconds); the
// JSON `inspect` and `ps --json` print shows those as RFC 3339 too, converted here.
import { readFile } from 'node:fs';
import type { PodRecord, RecoveryTimeline } from '../../lib/pod/types.js';

export { age, humanDuration } from '../../lib/util/age.js';

/** /proc's clock ticks per second (USER_HZ): 100 on every Linux architecture minipod runs on. */
export const CLOCK_TICKS = 100;

/** RFC 3339 (UTC, milliseconds) of a time in epoch milliseconds. */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString();

/** A process start time (clock ticks after boot, as /proc/PID/stat) as RFC 3339; null if unknown. */
export function ticksToRfc3339(ticks: string | null | undefined, bootMs: number | undefined): string | null {
  if (bootMs === undefined || ticks === null || ticks === undefined || !/^\d+$/.test(ticks)) return null;
  return rfc3339(bootMs + (Number(ticks) * 1000) / CLOCK_TICKS);
}

/**
 * The machine's boot in epoch milliseconds (btime of /proc/stat, whole seconds), to show start
 * times (clock ticks after boot) as times. Stable from one process to the next, so two reads of
 * the same record print the same time. Read here, not through lib/os/host.ts: the CLI does not
 * load the daemon's door to the kernel (pino and the rest) to read one line.
 */
export function bootTimeMs(): Promise<number | undefined> {
  // node:fs's callback form: node:fs/promises takes a fresh process 3 ms to load, for one read.
  return new Promise((resolve) => {
    readFile('/proc/stat', 'utf8', (err, text) => {
      const btime = err ? null : /^btime (\d+)$/m.exec(text);
      resolve(btime ? Number(btime[1]) * 1000 : undefined);
    });
  });
}

/**
 * The pod record with every time in RFC 3339: process start times (clock ticks) and a recovery's
 * epoch milliseconds. bootMs is the machine's boot in epoch milliseconds (bootTimeMs(); unknown: start times are null).
 */
export function recordWithRfc3339(r: PodRecord, bootMs: number | undefined): unknown {
  const started = <T extends { startTime?: string | null }>(x: T): T => (x.startTime === undefined ? x : { ...x, startTime: ticksToRfc3339(x.startTime, bootMs) });
  const recovery = (t: RecoveryTimeline) => ({ ...t, detectedAt: rfc3339(t.detectedAt), wiredAt: rfc3339(t.wiredAt), appsStartedAt: rfc3339(t.appsStartedAt) });
  return {
    ...r,
    sandbox: r.sandbox && started(r.sandbox),
    building: r.building && started(r.building),
    containers: r.containers.map(started),
    ...(r.initContainers ? { initContainers: r.initContainers.map(started) } : {}),
    lastRecovery: r.lastRecovery && recovery(r.lastRecovery),
  };
}
