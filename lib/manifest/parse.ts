// A manifest object → a validated PodManifest or Deployment, or precise field errors. Text (YAML
// or JSON) is parsed in text.ts: the daemon takes objects and never loads the YAML parser.
import type { ZodIssue } from 'zod';
import { MinipodError } from '../errors.js';
import { deploymentManifestSchema, type DeploymentManifest } from './deployment-spec.js';
import { dropServerFields, takeClusterFields } from './cluster-fields.js';
import { kindError } from './kinds.js';
import { unsupportedField } from './unsupported.js';
import { podManifestSchema, type PodManifest } from './pod-spec.js';

/** What `apply -f` and `run -f` take: a Pod or an apps/v1 Deployment; warnings about fields it ignores. */
export type AnyManifest = ({ kind: 'Pod'; manifest: PodManifest } | { kind: 'Deployment'; manifest: DeploymentManifest }) & { warnings?: string[] };

/** `spec.containers[1].name: duplicate "httpd"` */
export function formatIssue(issue: ZodIssue): string {
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    // Kubernetes fields minipod lacks say why (unsupported.ts); the rest, typos included, are unknown.
    const known = issue.keys.map(unsupportedField).filter((m): m is string => m !== undefined);
    const unknown = issue.keys.filter((k) => !unsupportedField(k));
    message = [...known, ...(unknown.length ? [`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`] : [])].join('; ');
  }
  if (issue.code === 'invalid_type' && issue.received === 'undefined') message = 'is required';
  return path ? `${path}: ${message}` : message;
}

function validated<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: ZodIssue[] } } }, value: unknown, what: string, refused: string[] = []): T {
  const result = schema.safeParse(value);
  if (result.success && !refused.length) return result.data;
  const details = [...refused, ...(result.success ? [] : result.error.issues.map(formatIssue))];
  throw new MinipodError('INVALID_ARGUMENT', `invalid ${what} manifest: ${details.join('; ')}`, { details });
}

/** A copy without the fields only a cluster uses (cluster-fields.ts), validated, and the warnings about them. */
function withoutClusterFields<T>(schema: Parameters<typeof validated<T>>[0], value: unknown, what: string, at: 'pod' | 'template'): { manifest: T; warnings: string[] } {
  const copy = structuredClone(value) as { spec?: { template?: unknown } };
  dropServerFields(copy);
  const report = at === 'pod' ? takeClusterFields(copy) : takeClusterFields(copy?.spec?.template, 'spec.template.');
  return { manifest: validated(schema, copy, what, report.errors), warnings: report.warnings };
}

function podWithWarnings(value: unknown): { manifest: PodManifest; warnings: string[] } {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind !== undefined && kind !== 'Pod') throw kindError(kind, 'Pod');
  return withoutClusterFields(podManifestSchema, value, 'pod', 'pod');
}

/** A Pod only (POST /pods, `run NAME`): a Deployment or another kind says what to use instead. */
export function validateManifest(value: unknown): PodManifest {
  return podWithWarnings(value).manifest;
}

export function validateDeployment(value: unknown): DeploymentManifest {
  return withoutClusterFields(deploymentManifestSchema, value, 'Deployment', 'template').manifest;
}

/** A Pod (kind Pod or none) or a Deployment, by its kind; any other kind says what minipod takes. */
export function validateAny(value: unknown): AnyManifest {
  const kind = (value as { kind?: unknown }).kind;
  if (kind === 'Deployment') return { kind, ...withoutClusterFields(deploymentManifestSchema, value, 'Deployment', 'template') };
  if (kind === undefined || kind === 'Pod') return { kind: 'Pod', ...podWithWarnings(value) };
  throw kindError(kind);
}
