// The per-phase timeline every recovery leaves in the record (lastRecovery) and its event.
import type { SandboxPlan } from '../plan.js';
import { epochMs, round } from '../live.js';
import type { PodRecord, RecoveryTimeline } from '../types.js';

/** A timeline started now for a death detected at detectedAt; every phase at 0 until it runs. */
export function newTimeline(cause: string, plan: SandboxPlan, currentAttempt: number, detectedAt: number, started: number): RecoveryTimeline {
  return {
    cause,
    action: plan.action,
    attempt: plan.action === 'stop' ? currentAttempt : plan.attempt,
    detectedAt,
    detectMs: round(started - detectedAt),
    stopAppsMs: 0,
    teardownMs: 0,
    sandboxMs: 0,
    networkMs: 0,
    appsMs: 0,
    totalMs: 0,
    wiredAt: 0,
    appsStartedAt: 0,
  };
}

/** The recovery is done: its total, and the timeline kept in the record. */
export function finishTimeline(r: PodRecord, timeline: RecoveryTimeline): void {
  timeline.totalMs = round(epochMs() - timeline.detectedAt);
  r.lastRecovery = timeline;
}

/** The phases of a recreation, as its SandboxRecreated event states them. */
export function phaseSums(t: RecoveryTimeline): string {
  return `detect ${t.detectMs} + sandbox ${t.sandboxMs} + network ${t.networkMs}, then stop apps ${t.stopAppsMs} (old veth removed in ${t.teardownMs}, meanwhile) + apps ${t.appsMs}; total ${t.totalMs} ms`;
}
