// The files of an extracted image archive, reached safely and checked against their digests:
// shared by the docker-archive (archive.ts) and OCI layout (oci.ts) readers.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { MinipodError } from '../errors.js';
import { digestFile, imageConfigSchema, readJson, sha256, type ImageConfig } from './config.js';
import { normalizeTag } from './reference.js';

export interface ArchiveLayer {
  /** The layer file, inside the extracted archive. */
  file: string;
  /** How the archive names it (for errors). */
  name: string;
  /** sha256:HEX the unpacked tar must have: the config's rootfs.diff_ids entry. */
  diffId: string;
}

export interface ArchiveImage {
  /** The image ID: the config's sha256, in hex. */
  id: string;
  config: ImageConfig;
  configBytes: Buffer;
  /** The OCI manifest (not in a docker-archive), verified against its digest. */
  manifest?: { digest: string; bytes: Buffer };
  /** Normalized name:tag references. */
  repoTags: string[];
  layers: ArchiveLayer[];
}

export const bad = (why: string) => new MinipodError('INVALID_ARGUMENT', `not a valid image archive: ${why}`);

/** A file the archive names, resolved inside work (no absolute path, no `..`, no symlink out). */
export async function archiveFile(work: string, name: string): Promise<string> {
  if (!name || path.isAbsolute(name) || name.split('/').includes('..')) throw bad(`it names the file "${name}", outside the archive`);
  const file = await realpath(path.join(work, name)).catch(() => undefined);
  const root = await realpath(work);
  if (!file || !(await stat(file)).isFile()) throw bad(`it names the file "${name}", which it does not hold`);
  if (!file.startsWith(`${root}/`)) throw bad(`"${name}" is a symlink that leads outside the archive`);
  return file;
}

/** The config, checked against the digest its name or descriptor gives. */
export async function readConfig(work: string, name: string, expected: string): Promise<{ config: ImageConfig; bytes: Buffer }> {
  const { value, bytes } = await readJson(await archiveFile(work, name), name, imageConfigSchema);
  if (sha256(bytes) !== expected) throw bad(`config ${name} does not match its digest ${expected} (it is ${sha256(bytes)})`);
  return { config: value, bytes };
}

/** Check a blob's sha256 (and size, when given) against what names it. */
export async function verifyBlob(file: string, name: string, expected: string, size?: number): Promise<void> {
  const got = await digestFile(file);
  if (got.digest !== expected) throw bad(`${name} does not match its digest ${expected} (it is ${got.digest}): corrupt or altered`);
  if (size !== undefined && got.size !== size) throw bad(`${name} is ${got.size} bytes, its descriptor says ${size}`);
}

export function repoTagsOf(tags: readonly string[], where: string): string[] {
  return tags.map((t) => {
    try {
      return normalizeTag(t);
    } catch (err) {
      throw bad(`${where}: ${(err as Error).message}`);
    }
  });
}

