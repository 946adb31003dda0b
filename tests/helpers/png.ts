// Just enough of PNG to check a screenshot: its size, and how many colours its pixels hold
// (8-bit RGB or RGBA, non-interlaced, as Chromium writes them). No dependency for one check.
import { inflateSync } from 'node:zlib';

export interface PngInfo {
  width: number;
  height: number;
  /** Distinct pixel values, counted up to `limit`. */
  colours: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function readPng(file: Buffer, limit = 1000): PngInfo {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file (bad signature)');
  let width = 0, height = 0, channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < file.length; ) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    const data = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
      const [depth, colourType, interlace] = [data[8], data[9], data[12]];
      channels = colourType === 6 ? 4 : colourType === 2 ? 3 : 0;
      if (depth !== 8 || !channels || interlace) throw new Error(`PNG kind not handled: depth ${depth}, colour type ${colourType}, interlace ${interlace}`);
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const seen = new Set<string>();
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height && seen.size < limit; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? line[x - channels]! : 0;
      const b = prev[x]!;
      const c = x >= channels ? prev[x - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const add = [0, a, b, (a + b) >> 1, paeth][filter] ?? 0;
      line[x] = (line[x]! + add) & 0xff;
    }
    for (let x = 0; x < stride; x += channels) seen.add(line.subarray(x, x + channels).toString('hex'));
    prev = line;
  }
  return { width, height, colours: seen.size };
}
