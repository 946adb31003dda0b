// An OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/*`), as `podman save --format
// oci-archive`, `skopeo copy … oci-archive:` and docker 25+ write it. Every manifest in index.json
// is one image (a nested index: the manifest for this machine's platform). Each blob read is
// checked against its descriptor's digest and size; an image's name comes from the annotation
// `io.containerd.image.name` (containerd, docker, podman) or `org.opencontainers.image.ref.name`.
import path from 'node:path';
import { z } from 'zod';
import { archiveFile, bad, readConfig, repoTagsOf, verifyBlob, type ArchiveImage, type ArchiveLayer } from './archive-files.js';
import { digest, readJson, sha256 } from './config.js';

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

const descriptor = z.object({
  mediaType: z.string(),
  digest,
  size: z.number().int().min(0),
  annotations: z.record(z.string()).optional(),
  platform: z.object({ architecture: z.string(), os: z.string() }).passthrough().optional(),
});
type Descriptor = z.infer<typeof descriptor>;
const index = z.object({ schemaVersion: z.literal(2), manifests: z.array(descriptor) });
const manifest = z.object({ schemaVersion: z.literal(2), config: descriptor, layers: z.array(descriptor) });
const layout = z.object({ imageLayoutVersion: z.string() });

const blobName = (d: Descriptor) => `blobs/sha256/${d.digest.slice('sha256:'.length)}`;

/** A blob's bytes (a manifest or index), checked against its descriptor. */
async function readBlobJson<T>(work: string, d: Descriptor, schema: z.ZodType<T, z.ZodTypeDef, unknown>): Promise<{ value: T; bytes: Buffer }> {
  const name = blobName(d);
  const read = await readJson(await archiveFile(work, name), name, schema);
  if (sha256(read.bytes) !== d.digest) throw bad(`${name} does not match its digest ${d.digest} (it is ${sha256(read.bytes)}): corrupt or altered`);
  if (read.bytes.length !== d.size) throw bad(`${name} is ${read.bytes.length} bytes, its descriptor says ${d.size}`);
  return read;
}

/** The image manifest a descriptor leads to: itself, or this platform's in a nested index. */
async function imageManifest(work: string, d: Descriptor): Promise<Descriptor> {
  if (!INDEX_TYPES.includes(d.mediaType)) return d;
  const { value } = await readBlobJson(work, d, index);
  const arch = ARCH[process.arch] ?? process.arch;
  const mine = value.manifests.find((m) => MANIFEST_TYPES.includes(m.mediaType) && (!m.platform || (m.platform.os === 'linux' && m.platform.architecture === arch)));
  if (!mine) throw bad(`index ${blobName(d)} has no image for linux/${arch}`);
  return mine;
}

function namesOf(d: Descriptor): string[] {
  const name = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
  return name ? repoTagsOf([name], `index.json annotation of ${d.digest}`) : [];
}

async function readImage(work: string, top: Descriptor): Promise<ArchiveImage> {
  const d = await imageManifest(work, top);
  if (!MANIFEST_TYPES.includes(d.mediaType)) throw bad(`index.json entry ${d.digest} is a ${d.mediaType}, not an image manifest`);
  const { value: m, bytes } = await readBlobJson(work, d, manifest);
  const { config, bytes: configBytes } = await readConfig(work, blobName(m.config), m.config.digest);
  if (configBytes.length !== m.config.size) throw bad(`config ${blobName(m.config)} is ${configBytes.length} bytes, its descriptor says ${m.config.size}`);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== m.layers.length) throw bad(`config lists ${diffIds.length} layers, manifest ${d.digest} ${m.layers.length}`);
  const layers: ArchiveLayer[] = [];
  for (const [i, l] of m.layers.entries()) {
    const name = blobName(l);
    if (/zstd/.test(l.mediaType)) throw bad(`layer ${name} is zstd-compressed (${l.mediaType}), which minipod does not support: save the image with gzip or uncompressed layers`);
    const file = await archiveFile(work, name);
    await verifyBlob(file, name, l.digest, l.size);
    layers.push({ file, name, diffId: diffIds[i]! });
  }
  return { id: m.config.digest.slice('sha256:'.length), config, configBytes, manifest: { digest: d.digest, bytes }, repoTags: namesOf(top), layers };
}

export async function readOciLayout(work: string): Promise<ArchiveImage[]> {
  await readJson(path.join(work, 'oci-layout'), 'oci-layout', layout);
  const { value } = await readJson(path.join(work, 'index.json'), 'index.json', index);
  if (!value.manifests.length) throw bad('index.json lists no image');
  const images: ArchiveImage[] = [];
  for (const d of value.manifests) images.push(await readImage(work, d));
  return images;
}
