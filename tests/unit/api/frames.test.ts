// Exec framing: [type u8][length u32 BE][data], reassembled whatever the chunking.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import test from 'ava';
import { decodeResize, encodeFrame, encodeResize, Frame, MAX_FRAME_BYTES, readFrames, type FrameType } from '../../../lib/api/frames.js';

/** Feeds chunks through a PassThrough and returns the frames read, as [type, text]. */
async function framesFrom(chunks: Buffer[], head?: Buffer): Promise<[FrameType, string][]> {
  const stream = new PassThrough();
  const frames: [FrameType, string][] = [];
  readFrames(stream, (type, data) => frames.push([type, data.toString()]), head);
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await once(stream, 'end');
  return frames;
}

test('encodeFrame writes the type, a big-endian length and the data', (t) => {
  t.deepEqual(encodeFrame(Frame.stdout, 'hi'), Buffer.from([1, 0, 0, 0, 2, 0x68, 0x69]));
});

test('encodeFrame without data is a 5-byte header with length 0', (t) => {
  t.deepEqual(encodeFrame(Frame.stdinEnd), Buffer.from([4, 0, 0, 0, 0]));
});

test('one frame round-trips', async (t) => {
  t.deepEqual(await framesFrom([encodeFrame(Frame.stderr, 'oops\n')]), [[Frame.stderr, 'oops\n']]);
});

test('several frames in one chunk are all read, in order', async (t) => {
  const chunk = Buffer.concat([encodeFrame(Frame.stdout, 'a'), encodeFrame(Frame.stderr, 'b'), encodeFrame(Frame.exit, '{"code":0}')]);
  t.deepEqual(await framesFrom([chunk]), [
    [Frame.stdout, 'a'],
    [Frame.stderr, 'b'],
    [Frame.exit, '{"code":0}'],
  ]);
});

test('a frame split byte by byte, header included, is reassembled', async (t) => {
  const frame = encodeFrame(Frame.stdout, 'hello, world');
  const bytes = [...frame].map((b) => Buffer.from([b]));
  t.deepEqual(await framesFrom(bytes), [[Frame.stdout, 'hello, world']]);
});

test('frames split across chunk boundaries are reassembled', async (t) => {
  const all = Buffer.concat([encodeFrame(Frame.stdout, 'first'), encodeFrame(Frame.stdout, 'second')]);
  const chunks = [all.subarray(0, 3), all.subarray(3, 12), all.subarray(12)];
  t.deepEqual(await framesFrom(chunks), [
    [Frame.stdout, 'first'],
    [Frame.stdout, 'second'],
  ]);
});

test('an empty frame is delivered with empty data', async (t) => {
  const chunk = Buffer.concat([encodeFrame(Frame.stdinEnd), encodeFrame(Frame.stdout, 'after')]);
  t.deepEqual(await framesFrom([chunk]), [
    [Frame.stdinEnd, ''],
    [Frame.stdout, 'after'],
  ]);
});

test('binary data survives byte for byte', async (t) => {
  const data = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const stream = new PassThrough();
  const got: Buffer[] = [];
  readFrames(stream, (_type, d) => got.push(Buffer.from(d)));
  stream.end(encodeFrame(Frame.stdin, data));
  await once(stream, 'end');
  t.deepEqual(got, [data]);
});

test('a leading head buffer is read before the stream', async (t) => {
  const head = encodeFrame(Frame.stdout, 'from head');
  t.deepEqual(await framesFrom([encodeFrame(Frame.exit, '0')], head), [
    [Frame.stdout, 'from head'],
    [Frame.exit, '0'],
  ]);
});

test('a frame begun in the head buffer is completed by the stream', async (t) => {
  const split = encodeFrame(Frame.stderr, 'split');
  t.deepEqual(await framesFrom([split.subarray(8)], split.subarray(0, 8)), [[Frame.stderr, 'split']]);
});

test('a truncated frame at the end of the stream is not delivered', async (t) => {
  const frame = encodeFrame(Frame.stdout, 'complete');
  const partial = encodeFrame(Frame.stdout, 'cut off').subarray(0, 7);
  t.deepEqual(await framesFrom([frame, partial]), [[Frame.stdout, 'complete']]);
});

test('a frame longer than MAX_FRAME_BYTES destroys the stream instead of being buffered', async (t) => {
  const stream = new PassThrough();
  const got: FrameType[] = [];
  readFrames(stream, (type) => got.push(type));
  const head = Buffer.alloc(5);
  head.writeUInt8(Frame.stdin, 0);
  head.writeUInt32BE(MAX_FRAME_BYTES + 1, 1);
  stream.write(Buffer.concat([encodeFrame(Frame.stdin, 'ok'), head, Buffer.alloc(1024)]));
  const [err] = (await once(stream, 'error')) as [Error];
  t.regex(err.message, /exec frame of 1048577 bytes: at most 1048576/);
  t.true(stream.destroyed);
  t.deepEqual(got, [Frame.stdin]);
});

test('a resize frame carries rows then columns, u16 big-endian, and decodes back', (t) => {
  const frame = encodeResize({ rows: 40, cols: 300 });
  t.deepEqual(frame, Buffer.from([Frame.resize, 0, 0, 0, 4, 0, 40, 1, 44]));
  t.deepEqual(decodeResize(frame.subarray(5)), { rows: 40, cols: 300 });
});

test('a window size outside 1-65535 is not encoded; a malformed resize frame decodes to nothing', (t) => {
  t.throws(() => encodeResize({ rows: 0, cols: 80 }), { message: /rows and columns must be 1-65535/ });
  t.throws(() => encodeResize({ rows: 24, cols: 70_000 }), { message: /rows and columns must be 1-65535/ });
  t.is(decodeResize(Buffer.from([0, 24, 0])), undefined, 'three bytes');
  t.is(decodeResize(Buffer.from([0, 0, 0, 80])), undefined, 'zero rows');
});
