// Small image archives for tests, in both formats the store reads: a docker-archive (manifest.json,
// HEX.json config, layer tars old or new style) and an OCI image layout (oci-layout, index.json,
// blobs/sha256). Each can be spoiled on purpose (a wrong digest, a bad diffID) by `tamper`.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tarOf, type TarEntry } from './tar.js';

const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export interface ImageSpec {
  /** Each layer's entries, lowest first. */
  layers: TarEntry[][];
  tags?: string[];
  gzipLayers?: boolean;
  env?: string[];
  cmd?: string[];
}

export interface Built {
  file: string;
  id: string;
  diffIds: string[];
}

function layerBlobs(spec: ImageSpec) {
  return spec.layers.map((entries) => {
    const blob = tarOf(entries, { gzip: spec.gzipLayers });
    const plain = spec.gzipLayers ? gunzipSync(blob) : blob;
    return { blob, diffId: `sha256:${hex(plain)}` };
  });
}

function configOf(spec: ImageSpec, diffIds: string[], tamperDiffIds?: boolean): Buffer {
  const ids = tamperDiffIds ? diffIds.map(() => `sha256:${'0'.repeat(64)}`) : diffIds;
  return Buffer.from(JSON.stringify({ created: '2024-01-02T03:04:05Z', architecture: 'amd64', os: 'linux', config: { Env: spec.env ?? ['PATH=/bin'], Cmd: spec.cmd ?? ['/bin/sh'], WorkingDir: '/' }, rootfs: { type: 'layers', diff_ids: ids } }));
}

/** A docker-archive in dir; style 'old' puts layers at HEX/layer.tar, 'new' at blobs/sha256/HEX. */
export async function dockerArchive(dir: string, spec: ImageSpec, opts: { style?: 'old' | 'new'; tamper?: 'config-name' | 'diffid'; name?: string } = {}): Promise<Built> {
  const layers = layerBlobs(spec);
  const config = configOf(spec, layers.map((l) => l.diffId), opts.tamper === 'diffid');
  const id = hex(config);
  const entries: TarEntry[] = [];
  const names = layers.map((l, i) => {
    const name = opts.style === 'new' ? `blobs/sha256/${hex(l.blob)}` : `${String(i).padStart(64, 'a')}/layer.tar`;
    entries.push({ path: name, body: l.blob });
    return name;
  });
  const configName = opts.tamper === 'config-name' ? `${'1'.repeat(64)}.json` : `${id}.json`;
  entries.push({ path: configName, body: config });
  entries.push({ path: 'manifest.json', body: JSON.stringify([{ Config: configName, RepoTags: spec.tags ?? [], Layers: names }]) });
  const file = path.join(dir, opts.name ?? 'docker.tar');
  await writeFile(file, tarOf(entries));
  return { file, id, diffIds: layers.map((l) => l.diffId) };
}

/** An OCI layout archive in dir, named by the ref.name annotation. */
export async function ociArchive(dir: string, spec: ImageSpec, opts: { tamper?: 'layer-digest' | 'manifest-digest'; name?: string; mediaType?: string } = {}): Promise<Built> {
  const layers = layerBlobs(spec);
  const config = configOf(spec, layers.map((l) => l.diffId));
  const id = hex(config);
  const layerType = opts.mediaType ?? (spec.gzipLayers ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar');
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${id}`, size: config.length },
    layers: layers.map((l) => ({ mediaType: layerType, digest: `sha256:${hex(l.blob)}`, size: l.blob.length })),
  }));
  const manifestDigest = opts.tamper === 'manifest-digest' ? '2'.repeat(64) : hex(manifest);
  const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${manifestDigest}`, size: manifest.length, annotations: spec.tags?.[0] ? { 'org.opencontainers.image.ref.name': spec.tags[0] } : {} }] };
  const entries: TarEntry[] = [
    { path: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
    { path: 'index.json', body: JSON.stringify(index) },
    { path: `blobs/sha256/${manifestDigest}`, body: manifest },
    { path: `blobs/sha256/${id}`, body: config },
    ...layers.map((l, i) => ({ path: `blobs/sha256/${hex(l.blob)}`, body: opts.tamper === 'layer-digest' && i === 0 ? Buffer.concat([l.blob, Buffer.from('x')]) : l.blob })),
  ];
  const file = path.join(dir, opts.name ?? 'oci.tar');
  await writeFile(file, tarOf(entries));
  return { file, id, diffIds: layers.map((l) => l.diffId) };
}
