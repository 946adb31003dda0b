// The names Kubernetes accepts, as plain patterns: apart from pod-spec.ts (zod) so that the CLI
// checks a name without loading the schema library.

/** DNS-1123 subdomain: what Kubernetes accepts as a node's name. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** DNS-1123 label: what Kubernetes accepts as a pod or container name. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A label value as Kubernetes takes one: `web_server` is one, though not a DNS label. */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
/** A label key: an optional DNS-subdomain prefix and "/", then a name like a value (not empty). */
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A pod's namespace when none is given, as in Kubernetes. */
export const DEFAULT_NAMESPACE = 'default';
