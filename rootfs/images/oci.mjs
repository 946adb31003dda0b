// Reproducible OCI image archives from an in-memory file list: a tar layer written entry by entry
// with node-tar's header encoder (fixed mtime, owner 0:0, no user names, entries in the given
// order), gzipped by zlib, and wrapped in an OCI image layout tar (`podman save --format
// oci-archive`). Same entries + same zlib → same bytes → same digests.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

const BLOCK = 512;
const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

export const sha256 = (buf) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;

/**
 * One tar stream. An entry is { path, type: 'Directory'|'File'|'SymbolicLink'|'Link', mode,
 * data?: Buffer, linkpath? }; paths are relative ('bin/sh'), directories end without a slash.
 */
export function tarball(entries, mtime) {
  const blocks = [];
  for (const e of entries) {
    const data = e.type === 'File' ? e.data : Buffer.alloc(0);
    const header = new Header({
      path: e.type === 'Directory' ? `${e.path}/` : e.path,
      type: e.type,
      mode: e.mode,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      size: data.length,
      mtime,
      linkpath: e.linkpath,
    });
    // A pax extension would be needed for a long or non-ASCII name: no recipe has one, so refuse
    // rather than write a header that silently truncates it.
    if (header.encode()) throw new Error(`image entry ${e.path}: name too long for a plain ustar header`);
    blocks.push(header.block, data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  blocks.push(Buffer.alloc(2 * BLOCK)); // end of archive
  return Buffer.concat(blocks);
}

const json = (value) => Buffer.from(JSON.stringify(value));
const descriptor = (mediaType, blob, annotations) => ({ mediaType, digest: sha256(blob), size: blob.length, ...(annotations ? { annotations } : {}) });

/**
 * The OCI image layout archive of a one-layer image. `image` = { ref (a full reference such as
 * docker.io/library/httpd:latest), entries, config (the OCI `config` object: Cmd, Env, …),
 * created (Date), architecture, labels?, history }.
 */
export function ociArchive(image) {
  const layerTar = tarball(image.entries, image.created);
  // level 9 and the gzip header zlib writes (mtime 0, no name) keep the blob a function of its input.
  const layer = gzipSync(layerTar, { level: 9 });
  const created = image.created.toISOString();
  const config = json({
    created,
    architecture: image.architecture,
    os: 'linux',
    config: image.config,
    rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    history: [{ created, created_by: image.history }],
  });
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: descriptor(MEDIA.config, config),
    layers: [descriptor(MEDIA.layer, layer)],
    annotations: { 'org.opencontainers.image.created': created },
  });
  // podman and skopeo read the name from ref.name; containerd (ctr, nerdctl) from its own key.
  const names = { 'org.opencontainers.image.ref.name': image.ref, 'io.containerd.image.name': image.ref };
  const index = json({ schemaVersion: 2, mediaType: MEDIA.index, manifests: [descriptor(MEDIA.manifest, manifest, names)] });
  const blobs = [layer, config, manifest]
    .map((blob) => ({ path: `blobs/sha256/${sha256(blob).slice('sha256:'.length)}`, type: 'File', mode: 0o644, data: blob }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const archive = tarball(
    [
      { path: 'blobs', type: 'Directory', mode: 0o755 },
      { path: 'blobs/sha256', type: 'Directory', mode: 0o755 },
      ...blobs,
      { path: 'index.json', type: 'File', mode: 0o644, data: index },
      { path: 'oci-layout', type: 'File', mode: 0o644, data: json({ imageLayoutVersion: '1.0.0' }) },
    ],
    image.created,
  );
  return { archive, manifestDigest: sha256(manifest), configDigest: sha256(config), layerDigest: sha256(layer), diffId: sha256(layerTar) };
}
