// One image archive, read: a docker-archive (`docker save`, `podman save`: manifest.json, a config
// named by its sha256, layer tars old style `HEX/layer.tar`, podman's `HEX.tar` or new style
// `blobs/sha256/HEX`) or an OCI image layout archive (oci.ts). The archive is first extracted into
// a private directory (streamed, never held in memory); then every digest is checked: a config
// against its name, a blob against its file name, and later each layer against the config's
// rootfs.diff_ids (as it is unpacked, layers.ts).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { x } from 'tar';
import { z } from 'zod';
import { archiveFile, bad, readConfig, repoTagsOf, verifyBlob, type ArchiveImage, type ArchiveLayer } from './archive-files.js';
import { readJson } from './config.js';
import { readOciLayout } from './oci.js';
import { IMAGE_ID } from './reference.js';

export type { ArchiveImage, ArchiveLayer } from './archive-files.js';

/** Extract the archive (tar or tar.gz) into work, which exists and is private. Only files, directories and symlinks. */
export async function extractArchive(file: string, work: string): Promise<void> {
  let refused: string | undefined;
  try {
    await x({
      file,
      cwd: work,
      strict: true,
      preserveOwner: false,
      filter: (p, entry) => {
        const type = 'type' in entry ? entry.type : 'File';
        if (['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink'].includes(type)) return true;
        refused ??= `entry "${p}" is a ${type}, which an image archive does not hold`;
        return false;
      },
    });
  } catch (err) {
    throw bad(`the file is not a readable tar or tar.gz (corrupt or truncated): ${(err as Error).message}`);
  }
  if (refused) throw bad(refused);
}

const dockerManifest = z.array(
  z.object({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullable().optional(),
    Layers: z.array(z.string()),
  }),
);

/** docker-archive: each manifest.json entry is one image. */
async function readDockerArchive(work: string): Promise<ArchiveImage[]> {
  const { value: entries } = await readJson(path.join(work, 'manifest.json'), 'manifest.json', dockerManifest);
  if (!entries.length) throw bad('manifest.json lists no image');
  const images: ArchiveImage[] = [];
  for (const entry of entries) {
    // `HEX.json` (docker < 25, podman) or `blobs/sha256/HEX` (docker 25+): the name is the digest.
    const hex = path.posix.basename(entry.Config).replace(/\.json$/, '');
    if (!IMAGE_ID.test(hex)) throw bad(`config file "${entry.Config}" is not named by its sha256`);
    const { config, bytes } = await readConfig(work, entry.Config, `sha256:${hex}`);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== entry.Layers.length) throw bad(`config ${entry.Config} lists ${diffIds.length} layers, manifest.json ${entry.Layers.length}`);
    const layers: ArchiveLayer[] = [];
    for (const [i, name] of entry.Layers.entries()) {
      const file = await archiveFile(work, name);
      const blob = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
      if (blob) await verifyBlob(file, name, `sha256:${blob[1]}`);
      layers.push({ file, name, diffId: diffIds[i]! });
    }
    images.push({ id: hex, config, configBytes: bytes, repoTags: repoTagsOf(entry.RepoTags ?? [], 'manifest.json RepoTags'), layers });
  }
  return images;
}

/** The images an extracted archive holds, every digest known so far checked. */
export async function readArchive(work: string): Promise<ArchiveImage[]> {
  const has = (name: string) => stat(path.join(work, name)).then((s) => s.isFile(), () => false);
  // docker 25+ writes both layouts: the OCI one has the digests, so it is read first.
  if ((await has('oci-layout')) && (await has('index.json'))) return readOciLayout(work);
  if (await has('manifest.json')) return readDockerArchive(work);
  throw bad('it has neither manifest.json (docker-archive) nor oci-layout and index.json (OCI image layout) at its top');
}
