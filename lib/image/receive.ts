// An archive arriving as a stream (an API request body) written to a file, at most maxBytes.
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MinipodError } from '../errors.js';

export async function receiveArchive(body: Readable, file: string, maxBytes: number): Promise<void> {
  let size = 0;
  await pipeline(
    body,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const c of chunks) {
        size += c.length;
        if (size <= maxBytes) yield c; // past the cap the rest is read and dropped, so the client hears why
      }
    },
    createWriteStream(file, { mode: 0o600 }),
  );
  if (size > maxBytes) throw new MinipodError('INVALID_ARGUMENT', `image archive larger than ${maxBytes} bytes, the most minipod imports (4 GiB through the API)`, { status: 413 });
  if (!size) throw new MinipodError('INVALID_ARGUMENT', 'the image archive is empty: give a file made by `docker save` or `podman save`');
}
