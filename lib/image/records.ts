// The image store's records, `images/ID.json`: one per image, written atomically (temp, fsync,
// rename), checked before they are trusted (a strict zod schema, the file named by the ID, tags
// normalized, the config blob present with the ID as its sha256 and saying what the record says
// of Env, Cmd, User… and the layers, every layer directory present).
// One that fails is moved aside as ID.json.corrupt with its reasons in .why, and reported.
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomic as replaceFile } from '../store/atomic-write.js';
import { z } from 'zod';
import { log } from '../log.js';
import { diskError } from '../store/persist.js';
import { digest, imageConfigSchema, runConfigOf, runConfigSchema, sha256, type RunConfig } from './config.js';
import { IMAGE_ID, normalizeTag } from './reference.js';
import { isoTime } from '../store/iso-time.js';

export interface ImageLayer {
  diffId: string;
  /** Bytes of the uncompressed layer tar. */
  size: number;
}

export interface ImageRecord {
  /** The config's sha256, in hex. */
  id: string;
  /** Normalized `name:tag`, e.g. docker.io/library/httpd:latest; empty: shown as <none>. */
  repoTags: string[];
  /** `name@sha256:…` of the OCI manifest it came with (none from a docker-archive). */
  repoDigests: string[];
  /** sha256:HEX of the OCI manifest kept in blobs/ (none from a docker-archive). */
  manifestDigest: string | null;
  /** Lowest first, as the config's rootfs.diff_ids. */
  layers: ImageLayer[];
  /** Sum of the layers' uncompressed sizes. */
  size: number;
  /** The config's `created`, if it has one. */
  created: string | null;
  importedAt: string;
  architecture: string | null;
  os: string | null;
  /** Env, Entrypoint, Cmd, WorkingDir, User, ExposedPorts from the image config. */
  config: RunConfig;
}

const hexId = z.string().regex(IMAGE_ID, 'must be 64 lowercase hex digits');
const tag = z.string().refine((t) => {
  try {
    return normalizeTag(t) === t;
  } catch {
    return false;
  }
}, 'must be a normalized name:tag such as docker.io/library/httpd:latest');

export const imageRecordSchema = z.strictObject({
  id: hexId,
  repoTags: z.array(tag),
  repoDigests: z.array(z.string().regex(/^[^@\s]+@sha256:[0-9a-f]{64}$/, 'must be NAME@sha256:HEX')),
  manifestDigest: digest.nullable(),
  layers: z.array(z.strictObject({ diffId: digest, size: z.number().int().min(0) })),
  size: z.number().int().min(0),
  created: z.string().nullable(),
  importedAt: isoTime(),
  architecture: z.string().nullable(),
  os: z.string().nullable(),
  config: runConfigSchema.strict(),
});
// Kept equal to ImageRecord at compile time.
const sameShape: z.infer<typeof imageRecordSchema> extends ImageRecord ? (ImageRecord extends z.infer<typeof imageRecordSchema> ? true : never) : never = true;
void sameShape;

/** The store's directories. */
export interface StorePaths {
  root: string;
  images: string;
  blobs: string;
  layers: string;
  tmp: string;
}

export const layerDir = (paths: StorePaths, diffId: string) => path.join(paths.layers, diffId.replace(':', '-'));
export const blobFile = (paths: StorePaths, d: string) => path.join(paths.blobs, d.replace(/^sha256:/, ''));

export async function writeRecord(paths: StorePaths, record: ImageRecord): Promise<void> {
  await writeAtomic(paths, path.join(paths.images, `${record.id}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

export async function writeAtomic(paths: StorePaths, file: string, data: string | Buffer): Promise<void> {
  await replaceFile(file, data).catch((err: unknown) => {
    throw diskError(err, file, paths.root);
  });
}

async function check(paths: StorePaths, entry: string, value: unknown): Promise<string[]> {
  const parsed = imageRecordSchema.safeParse(value);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`);
  const r = parsed.data;
  const issues: string[] = [];
  if (entry !== `${r.id}.json`) issues.push(`file ${entry} does not hold image ${r.id}`);
  const config = await readFile(blobFile(paths, r.id)).catch(() => undefined);
  if (!config) issues.push(`its config blob ${r.id} is missing`);
  else if (sha256(config) !== `sha256:${r.id}`) issues.push(`its config blob does not match the ID ${r.id}`);
  else issues.push(...agreesWithConfig(r, config));
  if (r.manifestDigest && !(await stat(blobFile(paths, r.manifestDigest)).catch(() => undefined))) issues.push(`its manifest blob ${r.manifestDigest} is missing`);
  for (const l of r.layers) {
    if (!(await stat(layerDir(paths, l.diffId)).then((s) => s.isDirectory(), () => false))) issues.push(`its layer ${l.diffId} is not unpacked`);
  }
  return issues;
}

/** What a container runs (Env, Cmd, User…) and its layers come from the config, whose digest is the ID: the record must say the same. */
function agreesWithConfig(r: ImageRecord, bytes: Buffer): string[] {
  const parsed = imageConfigSchema.safeParse(JSON.parse(bytes.toString('utf8')));
  if (!parsed.success) return ['its config blob is not an image config'];
  const issues: string[] = [];
  if (JSON.stringify(runConfigOf(parsed.data)) !== JSON.stringify(r.config)) issues.push('config: differs from the image config blob');
  if (JSON.stringify(parsed.data.rootfs.diff_ids) !== JSON.stringify(r.layers.map((l) => l.diffId))) issues.push("layers: differ from the image config's rootfs.diff_ids");
  return issues;
}

/** Every valid record; an invalid one is moved aside and named with its reasons. */
export async function loadRecords(paths: StorePaths): Promise<{ records: ImageRecord[]; quarantined: { file: string; issues: string[] }[] }> {
  const records: ImageRecord[] = [];
  const quarantined: { file: string; issues: string[] }[] = [];
  for (const entry of await readdir(paths.images)) {
    const file = path.join(paths.images, entry);
    if (/\.json\.\d+$/.test(entry)) await rm(file, { force: true }); // a write cut short: the old record stands
    if (!entry.endsWith('.json')) continue;
    let value: unknown;
    let issues: string[];
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
      issues = await check(paths, entry, value);
    } catch (err) {
      issues = [`not a JSON image record: ${(err as Error).message}`];
    }
    if (!issues.length) {
      records.push(value as ImageRecord);
      continue;
    }
    log.error({ file, issues }, 'image record quarantined: it fails validation and is not used');
    await rename(file, `${file}.corrupt`);
    await writeFile(`${file}.corrupt.why`, `${issues.join('\n')}\n`, { mode: 0o600 });
    quarantined.push({ file: `${file}.corrupt`, issues });
  }
  return { records, quarantined };
}
