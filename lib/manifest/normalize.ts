// Two manifests of the same object compare equal however they were written: validated (defaults
// filled in), then as canonical JSON (keys sorted, undefined and empty objects dropped, apiVersion
// and kind set).
// `apply` judges "unchanged" with it, as kubectl compares with its last-applied configuration.
import type { PodManifest } from './pod-spec.js';
import { byText } from '../util/order.js';

/**
 * JSON with every object's keys in sorted order; undefined values left out, as JSON.stringify does,
 * and objects that are empty once their own such fields are gone: `resources: {}` (as `kubectl
 * create --dry-run -o yaml` writes it), or `resources: {limits: {}}`, is no resources, and writing
 * it is no change to a pod or a Deployment's template. An empty object in a list stays (its place
 * counts).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? 'null';
}

function canonical(value: unknown, inList = false): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, true) ?? null);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value)
    .map(([k, v]) => [k, canonical(v)] as const)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => byText(a, b));
  return entries.length || inList ? Object.fromEntries(entries) : undefined;
}

/** A validated Pod manifest as apply compares it: apiVersion and kind are optional in a file, implied in a record. */
export function normalizedPod(m: PodManifest): string {
  return canonicalJson({ ...m, apiVersion: 'v1', kind: 'Pod' });
}

export function samePod(a: PodManifest, b: PodManifest): boolean {
  return normalizedPod(a) === normalizedPod(b);
}
