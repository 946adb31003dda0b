// Manifest text (YAML or JSON) or an object → a validated PodManifest, or precise field errors.
import { parse as parseYaml } from 'yaml';
import type { ZodIssue } from 'zod';
import { MinipodError } from '../errors.js';
import { podManifestSchema, type PodManifest } from './pod-spec.js';

/** `spec.containers[1].name: duplicate "httpd"` */
export function formatIssue(issue: ZodIssue): string {
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') message = 'is required';
  return path ? `${path}: ${message}` : message;
}

export function validateManifest(value: unknown): PodManifest {
  const result = podManifestSchema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map(formatIssue);
  throw new MinipodError('INVALID_ARGUMENT', `invalid pod manifest: ${details.join('; ')}`, { details });
}

export function parseManifest(text: string, source = 'manifest'): PodManifest {
  let value: unknown;
  try {
    value = parseYaml(text, { prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    throw new MinipodError('INVALID_ARGUMENT', `${source}: not valid YAML or JSON: ${first}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MinipodError('INVALID_ARGUMENT', `${source}: expected a Pod object (apiVersion, kind, metadata, spec)`);
  }
  return validateManifest(value);
}
