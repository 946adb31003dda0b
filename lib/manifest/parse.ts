// Manifest text (YAML or JSON) or an object → a validated PodManifest, or precise field errors.
import { parse as parseYaml } from 'yaml';
import type { ZodIssue } from 'zod';
import { MinipodError } from '../errors.js';
import { deploymentManifestSchema, type DeploymentManifest } from './deployment-spec.js';
import { kindError } from './kinds.js';
import { podManifestSchema, type PodManifest } from './pod-spec.js';

/** What `apply -f` and `run -f` take: a Pod or an apps/v1 Deployment. */
export type AnyManifest = { kind: 'Pod'; manifest: PodManifest } | { kind: 'Deployment'; manifest: DeploymentManifest };

/** `spec.containers[1].name: duplicate "httpd"` */
export function formatIssue(issue: ZodIssue): string {
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') message = 'is required';
  return path ? `${path}: ${message}` : message;
}

function validated<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: ZodIssue[] } } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map(formatIssue);
  throw new MinipodError('INVALID_ARGUMENT', `invalid ${what} manifest: ${details.join('; ')}`, { details });
}

/** A Pod only (POST /pods, `run NAME`): a Deployment or another kind says what to use instead. */
export function validateManifest(value: unknown): PodManifest {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind !== undefined && kind !== 'Pod') throw kindError(kind, 'Pod');
  return validated(podManifestSchema, value, 'pod');
}

export function validateDeployment(value: unknown): DeploymentManifest {
  return validated(deploymentManifestSchema, value, 'Deployment');
}

/** A Pod (kind Pod or none) or a Deployment, by its kind; any other kind says what minipod takes. */
export function validateAny(value: unknown): AnyManifest {
  const kind = (value as { kind?: unknown }).kind;
  if (kind === 'Deployment') return { kind, manifest: validateDeployment(value) };
  if (kind === undefined || kind === 'Pod') return { kind: 'Pod', manifest: validateManifest(value) };
  throw kindError(kind);
}

export function parseAny(text: string, source = 'manifest'): AnyManifest {
  return validateAny(parseObject(text, source));
}

export function parseManifest(text: string, source = 'manifest'): PodManifest {
  return validateManifest(parseObject(text, source));
}

export function parseObject(text: string, source: string): object {
  let value: unknown;
  try {
    value = parseYaml(text, { prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    throw new MinipodError('INVALID_ARGUMENT', `${source}: not valid YAML or JSON: ${first}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MinipodError('INVALID_ARGUMENT', `${source}: expected a Pod or Deployment object (apiVersion, kind, metadata, spec)`);
  }
  return value;
}
