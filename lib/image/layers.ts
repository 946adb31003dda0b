// Unpack one layer tar (plain or gzip) into a new layer directory, the way containerd's overlay
// snapshotter applies a layer. Two passes over the file: the first vets every entry (vet.ts) and
// computes the uncompressed sha256 (the diffID) before anything is written; the second extracts
// with node-tar, which by itself also refuses `..`, absolute paths and writes through symlinks;
// symlinks and FIFOs are made last (vet.ts says why).
// Whiteouts become overlayfs whiteouts: `.wh.NAME` a char device 0/0 named NAME, `.wh..wh..opq`
// the xattr trusted.overlay.opaque=y on its directory (mknod and setfattr, through the door).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lchown, lstat, mkdir, open, readdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, x, type ReadEntry } from 'tar';
import { MinipodError } from '../errors.js';
import { run, tools } from '../os/host.js';
import { isWhiteout, LayerVetter, type LayerPlan } from './vet.js';

export interface UnpackedLayer {
  /** sha256:HEX of the uncompressed tar. */
  diffId: string;
  /** Bytes of the uncompressed tar. */
  size: number;
}

const MAGIC: [Buffer, string | undefined][] = [
  [Buffer.from([0x1f, 0x8b]), 'gzip'],
  [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 'zstd'],
  [Buffer.from('BZh'), 'bzip2'],
  [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), 'xz'],
];

/** 'gzip', 'plain', or an error naming a compression minipod does not read (zstd, bzip2, xz). */
export async function compressionOf(file: string, layer: string): Promise<'gzip' | 'plain'> {
  const fh = await open(file, 'r');
  const head = Buffer.alloc(6);
  try {
    await fh.read(head, 0, 6, 0);
  } finally {
    await fh.close();
  }
  const found = MAGIC.find(([magic]) => head.subarray(0, magic.length).equals(magic))?.[1];
  if (!found) return 'plain';
  if (found === 'gzip') return 'gzip';
  throw new MinipodError('INVALID_ARGUMENT', `layer ${layer} is ${found}-compressed, which minipod does not support: save the image with gzip or uncompressed layers (e.g. \`podman save --format docker-archive\`)`);
}

/** Pass 1: every entry vetted, the diffID and size computed; nothing written. */
async function vetLayer(file: string, layer: string): Promise<UnpackedLayer & { plan: LayerPlan }> {
  const gzip = (await compressionOf(file, layer)) === 'gzip';
  const vetter = new LayerVetter(layer);
  const hash = createHash('sha256');
  let size = 0;
  let refused: unknown;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      try {
        if (!refused) vetter.add({ path: entry.path, type: entry.type, linkpath: entry.linkpath, mode: entry.mode, uid: entry.uid, gid: entry.gid });
      } catch (err) {
        refused = err;
      }
      entry.resume();
    },
  });
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('end', resolve);
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (refused) return done(refused as Error); // stop reading: the layer is refused anyway
      hash.update(chunk);
      size += chunk.length;
      if (parser.write(chunk)) done();
      else parser.once('drain', () => done());
    },
    final(done) {
      parser.end();
      done();
    },
  });
  try {
    await pipeline([createReadStream(file), ...(gzip ? [createGunzip()] : []), sink]);
    await parsed;
  } catch (err) {
    if (refused) throw refused;
    throw new MinipodError('INVALID_ARGUMENT', `layer ${layer} is not a readable tar${gzip ? '.gz' : ''} (corrupt or truncated): ${(err as Error).message}`, { cause: err });
  }
  if (refused) throw refused;
  return { diffId: `sha256:${hash.digest('hex')}`, size, plan: vetter.plan };
}

/** Whether every directory above rel inside dest is a real directory (no symlink), so a path tool cannot be led outside. */
async function insideLayer(dest: string, rel: string): Promise<boolean> {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const st = await lstat(path.join(dest, ...parts.slice(0, i))).catch(() => undefined);
    if (!st) return true; // missing: made below with mkdir, which a later check covers
    if (!st.isDirectory()) return false;
  }
  return true;
}

async function applyPlan(dest: string, plan: LayerPlan, layer: string): Promise<void> {
  const escape = (rel: string) => new MinipodError('INVALID_ARGUMENT', `layer ${layer} is refused: "${rel}" would be written through a symlink the layer made`);
  for (const [rel, { type, target, uid, gid }] of plan.late) {
    if (!(await insideLayer(dest, rel))) throw escape(rel);
    const file = path.join(dest, rel);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    await rm(file, { recursive: true, force: true }); // what an earlier entry put there: this one came later
    if (type === 'SymbolicLink') await symlink(target, file);
    else await run([tools().mknod, file, 'p']);
    if (process.getuid?.() === 0) await lchown(file, uid, gid); // as node-tar's preserveOwner: only root can
  }
  for (const rel of plan.opaque) {
    if (!(await insideLayer(dest, `${rel}/x`))) throw escape(rel);
    const dir = path.join(dest, rel);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await run([tools().setfattr, '-n', 'trusted.overlay.opaque', '-v', 'y', dir]);
  }
  for (const rel of plan.whiteouts) {
    if (!(await insideLayer(dest, rel))) throw escape(rel);
    const file = path.join(dest, rel);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    if (await lstat(file).catch(() => undefined)) continue; // the same layer also has NAME: it wins over the whiteout below it
    await run([tools().mknod, file, 'c', '0', '0']);
  }
}

/**
 * Every mode as the tar says: node-tar's files get the daemon's umask (077), its directories at
 * least 0700, and a chown after its chmod clears setuid. Directories the tar does not list get
 * 0755, as containerd makes them. Deepest first, so a 0500 directory is set after its content.
 */
async function setModes(dest: string, modes: Map<string, number>): Promise<void> {
  const entries = await readdir(dest, { recursive: true, withFileTypes: true });
  const rels = entries.filter((e) => !e.isSymbolicLink()).map((e) => ({ rel: path.relative(dest, path.join(e.parentPath ?? e.path, e.name)), dir: e.isDirectory() }));
  rels.sort((a, b) => b.rel.split('/').length - a.rel.split('/').length);
  for (const { rel, dir } of rels) {
    const mode = modes.get(rel) ?? (dir ? 0o755 : undefined);
    if (mode !== undefined) await chmod(path.join(dest, rel), mode);
  }
}

/**
 * Unpack file into dest (which must not exist; made 0755). Throws INVALID_ARGUMENT naming the
 * layer and the entry for a refused archive, or a diffID other than expected; dest is then
 * partial or absent, and the caller removes it (it lives in the store's tmp/ until it is whole).
 */
export async function unpackLayer(file: string, dest: string, layer: string, expectedDiffId?: string): Promise<UnpackedLayer> {
  const { diffId, size, plan } = await vetLayer(file, layer);
  if (expectedDiffId && diffId !== expectedDiffId) {
    throw new MinipodError('INVALID_ARGUMENT', `layer ${layer} does not match the image config: its uncompressed digest is ${diffId}, the config's rootfs.diff_ids says ${expectedDiffId}`);
  }
  await mkdir(dest, { mode: 0o755 });
  await chmod(dest, 0o755); // the daemon's umask is 077; a layer is the container's /, readable by its users
  try {
    // Ownership as in the tar when we are root (node-tar's preserveOwner default), else ours;
    // modes are set after (setModes).
    await x({ file, cwd: dest, strict: true, filter: (p, e) => !isWhiteout(p) && !('type' in e && (e.type === 'SymbolicLink' || e.type === 'FIFO')) });
  } catch (err) {
    if (err instanceof MinipodError) throw err;
    throw new MinipodError('INVALID_ARGUMENT', `layer ${layer} could not be unpacked: ${(err as Error).message}`, { cause: err });
  }
  await applyPlan(dest, plan, layer);
  await setModes(dest, plan.modes);
  return { diffId, size };
}
