// Tar archives built in memory for tests, with node-tar's Header: any entry a hostile archive
// could hold (absolute paths, `..`, devices, links anywhere), which tar.c from real files cannot make.
import { gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';

export interface TarEntry {
  path: string;
  type?: HeaderData['type'];
  body?: string | Buffer;
  linkpath?: string;
  mode?: number;
  devmaj?: number;
  devmin?: number;
}

/** A tar (two zero blocks at the end); gzip: gzipped. */
export function tarOf(entries: TarEntry[], opts: { gzip?: boolean } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const type = e.type ?? (e.path.endsWith('/') ? 'Directory' : 'File');
    const header = Buffer.alloc(512);
    new Header({ path: e.path, type, size: type === 'File' ? body.length : 0, mode: e.mode ?? (type === 'Directory' ? 0o755 : 0o644), linkpath: e.linkpath ?? '', uid: 0, gid: 0, mtime: new Date(1_700_000_000_000), devmaj: e.devmaj ?? 0, devmin: e.devmin ?? 0 }).encode(header, 0);
    blocks.push(header);
    if (type === 'File' && body.length) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  return opts.gzip ? gzipSync(tar) : tar;
}
