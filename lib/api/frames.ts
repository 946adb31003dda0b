// `minipod exec` streams over an upgraded connection in frames: [type u8][length u32 BE][data].
// One framing for both directions keeps stdout, stderr and the exit status apart on one socket.
// With a terminal (`exec -t`) the client also sends `resize` frames, and the daemon passes the
// client's stdin and resize frames on as they are to rootfs/ptyrelay, which reads the same framing.
import type { Duplex } from 'node:stream';

export const Frame = { stdin: 0, stdout: 1, stderr: 2, exit: 3, stdinEnd: 4, error: 5, resize: 6 } as const;
export type FrameType = (typeof Frame)[keyof typeof Frame];

/** Larger than any chunk a pipe or socket yields (64 KiB): a bigger length is a broken peer, not
 * a reason to buffer gigabytes while waiting for the rest of its frame. */
export const MAX_FRAME_BYTES = 1024 * 1024;

export function encodeFrame(type: FrameType, data: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Call onFrame for every complete frame read from the stream (handles splits and joins); a
 * frame longer than MAX_FRAME_BYTES destroys the stream. */
export function readFrames(stream: Duplex, onFrame: (type: FrameType, data: Buffer) => void, head?: Buffer): void {
  let buf = head ?? Buffer.alloc(0);
  const drain = () => {
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (len > MAX_FRAME_BYTES) {
        buf = Buffer.alloc(0);
        stream.destroy(new Error(`exec frame of ${len} bytes: at most ${MAX_FRAME_BYTES}`));
        return;
      }
      if (buf.length < 5 + len) return;
      const type = buf.readUInt8(0) as FrameType;
      const data = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      onFrame(type, data);
    }
  };
  stream.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    drain();
  });
  drain();
}

/** A terminal's size, as the kernel keeps it (struct winsize: rows and columns, 16 bits each). */
export interface WindowSize {
  rows: number;
  cols: number;
}

const validSize = (n: number) => Number.isInteger(n) && n >= 1 && n <= 0xffff;

/** A window size as a resize frame's data: rows then columns, u16 big-endian each. */
export function encodeResize({ rows, cols }: WindowSize): Buffer {
  if (!validSize(rows) || !validSize(cols)) throw new RangeError(`window size ${rows}x${cols}: rows and columns must be 1-65535`);
  const data = Buffer.alloc(4);
  data.writeUInt16BE(rows, 0);
  data.writeUInt16BE(cols, 2);
  return encodeFrame(Frame.resize, data);
}

/** The size a resize frame carries; undefined for a malformed one (not 4 bytes, or a zero). */
export function decodeResize(data: Buffer): WindowSize | undefined {
  if (data.length !== 4) return undefined;
  const size = { rows: data.readUInt16BE(0), cols: data.readUInt16BE(2) };
  return validSize(size.rows) && validSize(size.cols) ? size : undefined;
}
