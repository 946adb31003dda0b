// `minipod exec` streams over an upgraded connection in frames: [type u8][length u32 BE][data].
// One framing for both directions keeps stdout, stderr and the exit status apart on one socket.
import type { Duplex } from 'node:stream';

export const Frame = { stdin: 0, stdout: 1, stderr: 2, exit: 3, stdinEnd: 4, error: 5 } as const;
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
