// Which namespace a request means, and which pods a listing takes: `?namespace=NS` (default
// `default`) on the pod and Deployment routes, `?allNamespaces=true` and `?labelSelector=…` on
// the listings, as the Kubernetes API takes them. A manifest's own metadata.namespace must agree
// with the query's (kubectl's rule), and a manifest without one gets the query's.
import { MinipodError } from '../errors.js';
import { validateManifest } from '../manifest/parse.js';
import { DEFAULT_NAMESPACE, DNS_LABEL, type PodManifest } from '../manifest/pod-spec.js';
import { matches, parseSelector } from '../manifest/selector.js';
import { podKey } from '../manifest/pod-key.js';
import type { PodRecord } from '../pod/types.js';
import { jsonObject, nameParam } from './schemas.js';

/** The query's namespace, checked; `default` when none is given. */
export function namespaceOf(query: URLSearchParams): string {
  const ns = query.get('namespace') ?? DEFAULT_NAMESPACE;
  if (!DNS_LABEL.test(ns)) throw new MinipodError('INVALID_ARGUMENT', `namespace ${JSON.stringify(ns)} is not a DNS-1123 label: lowercase letters, digits and "-", at most 63, starting and ending alphanumeric`);
  return ns;
}

/** The key (pod/key.ts) of the pod or Deployment a path segment names in the query's namespace. */
export function keyParam(raw: string | undefined, query: URLSearchParams, what: 'pod' | 'deployment' = 'pod'): string {
  return podKey(namespaceOf(query), nameParam(raw, what));
}

/** POST /pods, PUT /pods/NAME: the body's manifest in the query's namespace, validated. */
export const podBody = (body: Buffer, query: URLSearchParams): PodManifest => validateManifest(withNamespace(jsonObject(body), query));

/** A manifest object (not yet validated) with the query's namespace: set if it has none, refused if it names another. */
export function withNamespace(manifest: Record<string, unknown>, query: URLSearchParams): Record<string, unknown> {
  if (!query.has('namespace')) return manifest;
  const ns = namespaceOf(query);
  const meta = manifest.metadata;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return manifest; // the schema says what is missing
  const own = (meta as { namespace?: unknown }).namespace;
  if (own === undefined) return { ...manifest, metadata: { ...meta, namespace: ns } };
  if (own !== ns) throw new MinipodError('INVALID_ARGUMENT', `the namespace from the provided object ${JSON.stringify(own)} does not match the namespace ${JSON.stringify(ns)}. You must pass '--namespace=${String(own)}' to perform this operation.`);
  return manifest;
}

/** What a listing keeps: one namespace (or all), and the pods whose labels match the selector. */
export function listFilter(query: URLSearchParams): (namespace: string, labels: Record<string, string> | undefined) => boolean {
  const all = ['true', '1'].includes(query.get('allNamespaces') ?? '');
  const ns = all ? undefined : namespaceOf(query);
  const text = query.get('labelSelector');
  const selector = text ? parseSelector(text) : [];
  return (namespace, labels) => (ns === undefined || namespace === ns) && matches(selector, labels);
}

/** listFilter for pod records. */
export function podFilter(query: URLSearchParams): (r: PodRecord) => boolean {
  const keep = listFilter(query);
  return (r) => keep(r.namespace, r.manifest.metadata.labels);
}
