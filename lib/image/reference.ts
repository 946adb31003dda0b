// Image references by Docker's and Kubernetes' rules (distribution/reference): `httpd` is
// `docker.io/library/httpd:latest`, a first component with a dot, a colon or `localhost` is a
// registry, a tag is `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`, a digest `sha256:` and 64 hex. Pure.
import { MinipodError } from '../errors.js';

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
/** An image ID: the sha256 of its config, in hex. */
export const IMAGE_ID = /^[0-9a-f]{64}$/;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_PART = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME = 255;

/** A normalized reference: `name` is always domain/path, with a tag, a digest, or both. */
export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

const bad = (raw: string, why: string) => new MinipodError('INVALID_ARGUMENT', `invalid image reference "${raw}": ${why}`);

function checkDomain(raw: string, domain: string): void {
  const [host, port, ...more] = domain.split(':');
  if (more.length || (port !== undefined && !/^\d{1,5}$/.test(port))) throw bad(raw, `registry "${domain}" has a bad port`);
  if (!host!.split('.').every((p) => DOMAIN_PART.test(p))) throw bad(raw, `registry "${domain}" is not a host name`);
}

/** Parse and normalize; tag defaults to `latest` unless a digest is given. Throws INVALID_ARGUMENT naming what is wrong. */
export function parseReference(raw: string): ImageRef {
  if (!raw) throw bad(raw, 'it is empty');
  if (/\s/.test(raw)) throw bad(raw, 'it contains white space');
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(raw, `digest "${digest}" is not sha256: and 64 lowercase hex digits`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(raw, `tag "${tag}" must be 1 to 128 of letters, digits, "_", "." and "-", not starting with "." or "-"`);
  }
  if (IMAGE_ID.test(rest)) throw bad(raw, 'a 64-hex name is an image ID, not a repository: give the ID alone');
  const parts = rest.split('/');
  let domain = DEFAULT_DOMAIN;
  if (parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost')) {
    domain = parts.shift()!;
    checkDomain(raw, domain);
    if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  }
  if (domain === DEFAULT_DOMAIN && parts.length === 1) parts.unshift('library');
  for (const p of parts) {
    if (p !== p.toLowerCase()) throw bad(raw, 'the repository name must be lowercase');
    if (!COMPONENT.test(p)) throw bad(raw, `"${p}" is not a repository name component (lowercase letters and digits, separated by ".", "_", "__" or "-")`);
  }
  const name = `${domain}/${parts.join('/')}`;
  if (name.length > MAX_NAME) throw bad(raw, `the repository name is longer than ${MAX_NAME} characters`);
  if (!tag && !digest) tag = DEFAULT_TAG;
  return { name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `name:tag`, `name@digest` or `name:tag@digest`. */
export function formatReference(ref: ImageRef): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The normalized `name:tag` of a tag reference (what an image's repoTags hold); throws if it has a digest. */
export function normalizeTag(raw: string): string {
  const ref = parseReference(raw);
  if (ref.digest) throw bad(raw, 'an image is named by a tag, not a digest');
  return formatReference(ref);
}

/** An image ID or a prefix of one (12 to 64 hex, `sha256:` allowed before it); undefined if raw is not one. */
export function idPrefix(raw: string): string | undefined {
  const hex = raw.startsWith('sha256:') ? raw.slice(7) : raw;
  return /^[0-9a-f]{12,64}$/.test(hex) ? hex : undefined;
}

/** REPOSITORY and TAG as podman's `image ls` shows a repoTag (docker.io/library/httpd, latest). */
export function splitRepoTag(repoTag: string): { repository: string; tag: string } {
  const colon = repoTag.lastIndexOf(':');
  return colon > repoTag.lastIndexOf('/') ? { repository: repoTag.slice(0, colon), tag: repoTag.slice(colon + 1) } : { repository: repoTag, tag: '<none>' };
}
