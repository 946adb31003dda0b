// Two manifests of the same object compare equal however they were written: validated (defaults
// filled in), then as canonical JSON (keys sorted, undefined and empty objects dropped, apiVersion
// and kind set).
// `apply` judges "unchanged" with it, as kubectl compares with its last-applied configuration.
import type { PodManifest } from './pod-spec.js';
import { byText } from '../util/order.js';

const emptyObject = (v: unknown): boolean => !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

/**
 * JSON with every object's keys in sorted order; undefined values left out, as JSON.stringify does,
 * and empty objects: `resources: {}` (as `kubectl create --dry-run -o yaml` writes it) is no
 * resources, and writing it is no change to a pod or a Deployment's template.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => !emptyObject(x)).sort(([a], [b]) => byText(a, b))) : v,
  );
}

/** A validated Pod manifest as apply compares it: apiVersion and kind are optional in a file, implied in a record. */
export function normalizedPod(m: PodManifest): string {
  return canonicalJson({ ...m, apiVersion: 'v1', kind: 'Pod' });
}

export function samePod(a: PodManifest, b: PodManifest): boolean {
  return normalizedPod(a) === normalizedPod(b);
}
