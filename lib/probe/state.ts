// A probe worker's decision, apart from running probes and acting: pure, unit-tested on fakes.
// As kubelet's worker: a result changes only after successThreshold successes or
// failureThreshold failures in a row; a liveness or startup probe that fails for good asks for
// a kill and then holds (no more probing) until the container runs again.
import type { Probe, ProbeKind } from '../manifest/probes.js';

export interface ProbeCounters {
  /** Successes or failures in a row, by the last outcome's sign. */
  successes: number;
  failures: number;
  /** A kill was asked for: nothing more until the next run of the container. */
  onHold: boolean;
}

export const freshCounters = (): ProbeCounters => ({ successes: 0, failures: 0, onHold: false });

/** What the worker does with one outcome: set ready, mark started, kill; or nothing yet. */
export type ProbeAction = { set: 'ready'; value: boolean } | { set: 'started' } | { set: 'kill' } | { set: 'none' };

/**
 * One probe's outcome. `current` is what the container shows now (ready, for a readiness probe):
 * a readiness result is acted on only when it differs, so a daemon that restarted keeps the
 * recorded readiness until its probe says otherwise.
 */
export function decide(kind: ProbeKind, probe: Pick<Probe, 'successThreshold' | 'failureThreshold'>, state: ProbeCounters, ok: boolean, current = false): ProbeAction {
  if (state.onHold) return { set: 'none' };
  if (ok) {
    state.successes++;
    state.failures = 0;
  } else {
    state.failures++;
    state.successes = 0;
  }
  const passed = ok && state.successes >= probe.successThreshold;
  const failed = !ok && state.failures >= probe.failureThreshold;
  switch (kind) {
    case 'readinessProbe':
      if (passed && !current) return { set: 'ready', value: true };
      if (failed && current) return { set: 'ready', value: false };
      return { set: 'none' };
    case 'startupProbe':
      if (passed) {
        state.onHold = true; // kubelet stops the startup worker once it has passed
        return { set: 'started' };
      }
      break;
    case 'livenessProbe':
      break;
  }
  if (failed) {
    state.onHold = true;
    return { set: 'kill' };
  }
  return { set: 'none' };
}

/** kubelet's words: "Liveness", "Readiness", "Startup". */
export const probeWord = (kind: ProbeKind): string => ({ startupProbe: 'Startup', readinessProbe: 'Readiness', livenessProbe: 'Liveness' })[kind];

/** When the first probe is due: initialDelaySeconds after the container started (ms from now, never negative). */
export function firstDelayMs(probe: Pick<Probe, 'initialDelaySeconds'>, startedAt: string | null, now = Date.now()): number {
  const started = Date.parse(startedAt ?? '');
  return Number.isNaN(started) ? probe.initialDelaySeconds * 1000 : Math.max(0, started + probe.initialDelaySeconds * 1000 - now);
}
