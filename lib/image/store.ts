// The content-addressed image store under STATE/images (0700): `blobs/sha256/HEX` (configs and
// OCI manifests), `layers/sha256-HEX/` (each layer unpacked once, by diffID, shared by every image
// that has it), `images/ID.json` (records.ts) and `tmp/`. Everything is made in tmp/ and renamed
// into place whole, blobs and layers before the record that names them, so a daemon killed
// mid-import leaves only what init() removes: tmp/'s content and layers or blobs no record names.
// Imports and removals run one at a time.
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { MinipodError } from '../errors.js';
import { log } from '../log.js';
import { diskError } from '../store/persist.js';
import type { ArchiveImage } from './archive.js';
import { runConfigOf, type RunConfig } from './config.js';
import { receiveArchive } from './receive.js';
import { findImage } from './lookup.js';
import { blobFile, layerDir, loadRecords, writeAtomic, writeRecord, type ImageRecord, type StorePaths } from './records.js';
import { byText } from '../util/order.js';

export type { ImageRecord } from './records.js';

/** What the runtime needs to build a container's root filesystem. */
export interface ResolvedImage {
  id: string;
  config: RunConfig;
  /** Absolute layer directories, lowest first (overlayfs wants them reversed in lowerdir). */
  layerDirs: string[];
}

export interface RemoveResult {
  untagged: string[];
  /** The image ID, if the image itself went (not only a tag). */
  deleted: string | null;
  layersRemoved: number;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

export class ImageStore {
  readonly paths: StorePaths;
  private readonly images = new Map<string, ImageRecord>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string) {
    const root = path.join(stateDir, 'images');
    this.paths = { root, images: path.join(root, 'images'), blobs: path.join(root, 'blobs', 'sha256'), layers: path.join(root, 'layers'), tmp: path.join(root, 'tmp') };
  }

  /** At daemon start: directories made, records loaded and checked, what an interrupted import or removal left is removed. */
  async init(): Promise<{ quarantined: { file: string; issues: string[] }[] }> {
    await mkdir(this.paths.root, { recursive: true, mode: 0o700 });
    for (const dir of [this.paths.images, this.paths.blobs, this.paths.layers, this.paths.tmp]) await mkdir(dir, { recursive: true, mode: 0o700 });
    await rm(this.paths.tmp, { recursive: true, force: true });
    await mkdir(this.paths.tmp, { mode: 0o700 });
    const { records, quarantined } = await loadRecords(this.paths);
    // A tag on two images: an import cut short between its record and the old image's; the newer holds it.
    records.sort((a, b) => byText(a.importedAt, b.importedAt));
    for (const r of records) this.images.set(r.id, r);
    for (const r of records) await this.moveTags(r);
    await this.sweep();
    return { quarantined };
  }

  /** Layers and blobs no image names (an import cut short before its record, a removal after it), and temp files. */
  private async sweep(): Promise<void> {
    const layers = new Set([...this.images.values()].flatMap((i) => i.layers.map((l) => path.basename(layerDir(this.paths, l.diffId)))));
    for (const entry of await readdir(this.paths.layers)) if (!layers.has(entry)) await this.removeDir(path.join(this.paths.layers, entry));
    const blobs = new Set([...this.images.values()].flatMap((i) => [i.id, ...(i.manifestDigest ? [i.manifestDigest.slice('sha256:'.length)] : [])]));
    for (const entry of await readdir(this.paths.blobs)) if (!blobs.has(entry)) await rm(path.join(this.paths.blobs, entry), { force: true });
  }

  /** Out of layers/ in one rename, then deleted: a removal cut short never leaves half a layer in place. */
  private async removeDir(dir: string): Promise<void> {
    const gone = path.join(this.paths.tmp, `gone-${path.basename(dir)}-${process.hrtime.bigint()}`);
    await rename(dir, gone);
    await rm(gone, { recursive: true, force: true });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op);
    this.chain = run.catch(() => {});
    return run;
  }

  list(): ImageRecord[] {
    return [...this.images.values()].sort((a, b) => byText(b.importedAt, a.importedAt));
  }

  inspect(ref: string): ImageRecord {
    return findImage(this.list(), ref).record;
  }

  resolve(ref: string): ResolvedImage {
    const { record } = findImage(this.list(), ref);
    return { id: record.id, config: record.config, layerDirs: record.layers.map((l) => layerDir(this.paths, l.diffId)) };
  }

  /** Receive an archive into tmp/ (at most maxBytes), import it, remove it. */
  async importStream(body: Readable, maxBytes: number): Promise<ImageRecord[]> {
    const dir = await mkdtemp(path.join(this.paths.tmp, 'upload-'));
    try {
      const file = path.join(dir, 'archive');
      await receiveArchive(body, file, maxBytes).catch((err: unknown) => {
        throw diskError(err, file, this.paths.root);
      });
      return await this.importFile(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Import every image in an archive file; throws INVALID_ARGUMENT naming what is wrong, leaving the store as it was. */
  importFile(file: string): Promise<ImageRecord[]> {
    return this.serial(async () => {
      // Loaded on the first import: tar is a tenth of the daemon's code, which a daemon start
      // (every pod re-adopted, nothing imported) need not read and compile.
      const { extractArchive, readArchive } = await import('./archive.js');
      const work = await mkdtemp(path.join(this.paths.tmp, 'import-'));
      try {
        await extractArchive(file, work);
        const out: ImageRecord[] = [];
        for (const image of await readArchive(work)) out.push(await this.add(image));
        return out;
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  }

  private async add(image: ArchiveImage): Promise<ImageRecord> {
    const sizes = new Map([...this.images.values()].flatMap((i) => i.layers.map((l) => [l.diffId, l.size] as const)));
    for (const layer of image.layers) {
      const dest = layerDir(this.paths, layer.diffId);
      if (await exists(dest)) continue; // unpacked once, shared
      const temp = path.join(this.paths.tmp, `layer-${process.hrtime.bigint()}`);
      try {
        const { size } = await (await import('./layers.js')).unpackLayer(layer.file, temp, layer.name, layer.diffId);
        await rename(temp, dest);
        sizes.set(layer.diffId, size);
      } catch (err) {
        await rm(temp, { recursive: true, force: true });
        throw diskError(err, dest, this.paths.root);
      }
    }
    await writeAtomic(this.paths, blobFile(this.paths, image.id), image.configBytes);
    if (image.manifest) await writeAtomic(this.paths, blobFile(this.paths, image.manifest.digest), image.manifest.bytes);
    const old = this.images.get(image.id);
    const layers = image.layers.map((l) => ({ diffId: l.diffId, size: sizes.get(l.diffId) ?? 0 }));
    const repoDigests = image.manifest ? image.repoTags.map((t) => `${t.slice(0, t.lastIndexOf(':'))}@${image.manifest!.digest}`) : [];
    const record: ImageRecord = {
      id: image.id,
      repoTags: [...new Set([...(old?.repoTags ?? []), ...image.repoTags])],
      repoDigests: [...new Set([...(old?.repoDigests ?? []), ...repoDigests])],
      manifestDigest: image.manifest?.digest ?? old?.manifestDigest ?? null,
      layers,
      size: layers.reduce((n, l) => n + l.size, 0),
      created: image.config.created ?? null,
      importedAt: new Date().toISOString(),
      architecture: image.config.architecture ?? null,
      os: image.config.os ?? null,
      config: runConfigOf(image.config),
    };
    await writeRecord(this.paths, record);
    this.images.set(record.id, record);
    await this.moveTags(record);
    log.info({ id: record.id, repoTags: record.repoTags }, 'image imported');
    return record;
  }

  /** A tag names one image: the others lose the tags `record` has (an image left with none shows <none>). */
  private async moveTags(record: ImageRecord): Promise<void> {
    for (const other of this.images.values()) {
      if (other.id === record.id || !other.repoTags.some((t) => record.repoTags.includes(t))) continue;
      const moved = { ...other, repoTags: other.repoTags.filter((t) => !record.repoTags.includes(t)) };
      await writeRecord(this.paths, moved);
      this.images.set(moved.id, moved);
    }
  }

  /**
   * Remove a tag, or the image: by a tag the image has besides others, only that tag goes (as
   * docker and podman do); else the image, refused while inUse names pods, and every layer no
   * other image has.
   */
  remove(ref: string, inUse: (id: string) => string[]): Promise<RemoveResult> {
    return this.serial(async () => {
      const { record, tag } = findImage(this.list(), ref);
      if (tag && record.repoTags.length > 1) {
        const kept = { ...record, repoTags: record.repoTags.filter((t) => t !== tag) };
        await writeRecord(this.paths, kept);
        this.images.set(kept.id, kept);
        return { untagged: [tag], deleted: null, layersRemoved: 0 };
      }
      const pods = inUse(record.id);
      if (pods.length) throw new MinipodError('CONFLICT', `image ${ref} (${record.id.slice(0, 12)}) is used by pod${pods.length > 1 ? 's' : ''} ${pods.join(', ')}: remove ${pods.length > 1 ? 'them' : 'it'} first (minipod rm)`);
      // The record first: a removal cut short leaves unnamed layers, which init() removes.
      await rm(path.join(this.paths.images, `${record.id}.json`), { force: true });
      this.images.delete(record.id);
      const used = new Set([...this.images.values()].flatMap((i) => i.layers.map((l) => l.diffId)));
      let layersRemoved = 0;
      for (const l of new Set(record.layers.map((x) => x.diffId))) {
        if (used.has(l)) continue;
        await this.removeDir(layerDir(this.paths, l));
        layersRemoved++;
      }
      await this.sweep();
      return { untagged: record.repoTags, deleted: record.id, layersRemoved };
    });
  }
}
