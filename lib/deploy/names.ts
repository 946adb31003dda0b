// Pod names as Kubernetes gives a Deployment's pods: NAME-<pod-template-hash>-<suffix>. The hash
// is FNV-1a (32 bit) of the pod template, written in decimal and each digit mapped into
// Kubernetes' alphabet (its rand.SafeEncodeString), zero-padded to 10 so every name has one
// length; the suffix is 5 random letters of the same alphabet (utilrand.String(5)). Pure but
// for the random suffix.
import { randomInt } from 'node:crypto';
import { byText } from '../util/order.js';

/** Kubernetes' alphabet for generated names: no vowels (no words) and no 0, 1, 3 (look-alikes). */
export const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The text a template's hash is taken of: keys sorted, undefined left out. Kept as it was (empty
 * objects kept, unlike manifest/normalize.ts's canonicalJson): the hash of every template already
 * running, and every record's check of its hash, depend on it.
 */
export function templateText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(templateText).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => byText(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${templateText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The pod-template-hash label: 10 characters of ALPHABET, the same for the same template. */
export function templateHash(template: unknown): string {
  const decimal = String(fnv32a(templateText(template))).padStart(10, '0');
  return [...decimal].map((d) => ALPHABET[d.charCodeAt(0) % ALPHABET.length]).join('');
}

export function randomSuffix(length = 5): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

export function podNameFor(deployment: string, hash: string, suffix = randomSuffix()): string {
  return `${deployment}-${hash}-${suffix}`;
}
