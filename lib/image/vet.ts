// What a layer's tar entries may be, decided before anything is written (pure). Refused: a path
// that is absolute or has a `..` component, a hard link whose target is absolute, escapes, or was
// not written earlier in the layer, a char or block device node, and any entry below a path the
// layer made a symlink (writing through it could land outside the layer, e.g. `a -> /etc` then
// `a/passwd`). Symlinks themselves may point anywhere: they resolve inside the container's root.
// node-tar (7.5) would strip a symlink's absolute target or refuse one it resolves outside, as a
// host path, and does not make FIFOs: both are set aside here and made after extraction, where the
// layer ends with them.
import path from 'node:path';
import { MinipodError } from '../errors.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** The fields of a tar entry that vetting reads (a node-tar ReadEntry has them). */
export interface TarEntryInfo {
  path: string;
  type: string;
  linkpath?: string | undefined;
  mode?: number | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
}

export interface LateEntry {
  type: 'SymbolicLink' | 'FIFO';
  /** A symlink's target, as the tar has it. */
  target: string;
  uid: number;
  gid: number;
}

/** What the layer asks for besides plain files: applied after extraction. */
export interface LayerPlan {
  /** `.wh.NAME` entries: the paths (relative to the layer) that become whiteouts. */
  whiteouts: string[];
  /** `.wh..wh..opq` entries: the directories (relative) that become opaque. */
  opaque: string[];
  /** Each file's and directory's mode as the tar gives it (node-tar's are cut by the daemon's umask 077). */
  modes: Map<string, number>;
  /** Symlinks and FIFOs the layer ends with, by path (a later entry at the same path, or above it, replaces one). */
  late: Map<string, LateEntry>;
}

/** A tar path made relative and clean ("./a//b/" → "a/b"); "" is the layer's root. */
export function cleanPath(p: string): string {
  return p.split('/').filter((c) => c && c !== '.').join('/');
}

export function isWhiteout(p: string): boolean {
  return path.posix.basename(p).startsWith(WHITEOUT_PREFIX);
}

const refuse = (layer: string, entry: string, why: string) =>
  new MinipodError('INVALID_ARGUMENT', `layer ${layer} is refused: entry "${entry}" ${why}; nothing was unpacked`);

/** Feeds entries in archive order; throws INVALID_ARGUMENT naming the first entry refused. */
export class LayerVetter {
  /** What each path is, as far as the entries seen so far made it. */
  private readonly kinds = new Map<string, string>();
  readonly plan: LayerPlan = { whiteouts: [], opaque: [], modes: new Map(), late: new Map() };

  constructor(private readonly layer: string) {}

  private safePath(raw: string, entry: string, what: string): string {
    if (raw.startsWith('/')) throw refuse(this.layer, entry, `has an absolute ${what}`);
    if (raw.split('/').includes('..')) throw refuse(this.layer, entry, `has a ".." component in its ${what}`);
    const rel = cleanPath(raw);
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const above = parts.slice(0, i).join('/');
      if (this.kinds.get(above) === 'SymbolicLink') throw refuse(this.layer, entry, `would be written through the symlink "${above}"`);
    }
    return rel;
  }

  add(entry: TarEntryInfo): void {
    const rel = this.safePath(entry.path, entry.path, 'path');
    switch (entry.type) {
      case 'CharacterDevice':
      case 'BlockDevice':
        throw refuse(this.layer, entry.path, 'is a device node (an image may not carry one)');
      case 'Link': {
        const target = entry.linkpath ?? '';
        const to = this.safePath(target, entry.path, `hard link target "${target}"`);
        const kind = this.kinds.get(to);
        if (!kind || kind === 'Directory') throw refuse(this.layer, entry.path, `is a hard link to "${target}", which is not a file earlier in this layer`);
        this.set(rel, kind, this.plan.late.get(to)); // a hard link to a symlink or FIFO: made as another
        return;
      }
      default:
        break;
    }
    const base = path.posix.basename(rel);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const dir = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
      if (base === OPAQUE_WHITEOUT) this.plan.opaque.push(dir);
      else {
        const name = base.slice(WHITEOUT_PREFIX.length);
        if (!name || name === '.' || name === '..' || name.startsWith(WHITEOUT_PREFIX)) throw refuse(this.layer, entry.path, 'is a whiteout of no valid name');
        this.plan.whiteouts.push(dir ? `${dir}/${name}` : name);
      }
      return;
    }
    if (rel && entry.mode !== undefined && entry.type !== 'SymbolicLink') this.plan.modes.set(rel, entry.mode & 0o7777);
    const late: LateEntry | undefined = entry.type === 'SymbolicLink' || entry.type === 'FIFO' ? { type: entry.type, target: entry.linkpath ?? '', uid: entry.uid ?? 0, gid: entry.gid ?? 0 } : undefined;
    this.set(rel, entry.type, late);
  }

  private set(rel: string, kind: string, late?: LateEntry): void {
    this.kinds.set(rel, kind);
    this.plan.late.delete(rel);
    if (!late) return;
    for (const p of this.plan.late.keys()) if (p.startsWith(`${rel}/`)) this.plan.late.delete(p); // replaced with what was above them
    this.plan.late.set(rel, late);
  }
}
