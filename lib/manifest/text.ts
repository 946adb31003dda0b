// Manifest text (YAML or JSON) → a validated manifest (parse.ts), or an error naming the source.
// Apart from parse.ts so that what only validates objects (the daemon) does not load yaml.
import { parse as parseYaml } from 'yaml';
import { MinipodError } from '../errors.js';
import { validateAny, validateManifest, type AnyManifest } from './parse.js';
import type { PodManifest } from './pod-spec.js';

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
