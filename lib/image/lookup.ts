// Which stored image a reference names, as docker and podman decide it (pure): an image ID or a
// unique prefix of at least 12 hex, else a tag (`httpd` = docker.io/library/httpd:latest), else a
// digest (`name@sha256:…`, the OCI manifest it was imported with).
import { MinipodError } from '../errors.js';
import type { ImageRecord } from './records.js';
import { formatReference, idPrefix, parseReference } from './reference.js';

export interface Found {
  record: ImageRecord;
  /** The normalized tag it was found by, if it was. */
  tag?: string;
}

export function findImage(images: readonly ImageRecord[], raw: string): Found {
  const prefix = idPrefix(raw);
  if (prefix) {
    const hits = images.filter((i) => i.id.startsWith(prefix));
    if (hits.length === 1) return { record: hits[0]! };
    if (hits.length > 1) throw new MinipodError('INVALID_ARGUMENT', `image ID prefix ${prefix} matches ${hits.length} images: give more of the ID`);
    if (raw.startsWith('sha256:') || prefix.length === 64) throw notFound(raw);
  }
  const ref = parseReference(raw);
  if (ref.digest) {
    const want = `${ref.name}@${ref.digest}`;
    const hit = images.find((i) => i.repoDigests.includes(want));
    if (hit) return { record: hit };
    throw notFound(raw);
  }
  const tag = formatReference(ref);
  const hit = images.find((i) => i.repoTags.includes(tag));
  if (!hit) throw notFound(raw, tag);
  return { record: hit, tag };
}

function notFound(raw: string, normalized?: string): MinipodError {
  const as = normalized && normalized !== raw ? ` (${normalized})` : '';
  return new MinipodError('NOT_FOUND', `image ${raw}${as} not found: nothing is pulled, import it with \`minipod image import FILE\` (see \`minipod image ls\`)`);
}
