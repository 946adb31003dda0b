// The OCI image config, as far as minipod reads it (what a container runs with, and the layers'
// diffIDs), and the small JSON files of an archive, read with a size cap and checked with zod.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { MinipodError } from '../errors.js';
import { DIGEST } from './reference.js';

/** A manifest, index or config is a few kilobytes; a larger one is not trusted into memory. */
export const MAX_JSON_BYTES = 4 * 1024 * 1024;

export const digest = z.string().regex(DIGEST, 'must be sha256: and 64 lowercase hex digits');
const strings = z.array(z.string()).nullable().optional();

/** What a container gets from its image (the config's `config` object), as docker and podman show it. */
export const runConfigSchema = z.object({
  Env: strings,
  Entrypoint: strings,
  Cmd: strings,
  WorkingDir: z.string().optional(),
  User: z.string().optional(),
  ExposedPorts: z.record(z.object({}).passthrough()).nullable().optional(),
});
export type RunConfig = z.infer<typeof runConfigSchema>;

export const imageConfigSchema = z
  .object({
    created: z.string().optional(),
    architecture: z.string().optional(),
    os: z.string().optional(),
    config: runConfigSchema.nullable().optional(),
    rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(digest) }),
  })
  .passthrough();
export type ImageConfig = z.infer<typeof imageConfigSchema>;

/** The run config with the fields minipod keeps (absent ones dropped). */
export function runConfigOf(config: ImageConfig): RunConfig {
  const c = config.config ?? {};
  const out: RunConfig = {};
  for (const key of ['Env', 'Entrypoint', 'Cmd', 'WorkingDir', 'User', 'ExposedPorts'] as const) if (c[key] !== undefined && c[key] !== null) (out as Record<string, unknown>)[key] = c[key];
  return out;
}

export const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** sha256:HEX and size of a file, streamed. */
export async function digestFile(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(createReadStream(file), async function* (chunks: AsyncIterable<Buffer>) {
    for await (const c of chunks) {
      hash.update(c);
      size += c.length;
    }
  });
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** A small file of the archive (name as the archive has it), with its bytes, parsed as JSON and checked. */
export async function readJson<T>(file: string, name: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): Promise<{ value: T; bytes: Buffer }> {
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) throw new MinipodError('INVALID_ARGUMENT', `image archive has no file ${name}`);
  if (st.size > MAX_JSON_BYTES) throw new MinipodError('INVALID_ARGUMENT', `image archive's ${name} is ${st.size} bytes: larger than ${MAX_JSON_BYTES}, not a manifest or config`);
  const bytes = await readFile(file);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new MinipodError('INVALID_ARGUMENT', `image archive's ${name} is not valid JSON (corrupt or truncated)`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MinipodError('INVALID_ARGUMENT', `image archive's ${name}: ${issue.path.join('.') || 'value'} ${issue.message}`);
  }
  return { value: parsed.data, bytes };
}
