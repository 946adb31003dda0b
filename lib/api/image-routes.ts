// The image routes: import an archive (the request body, streamed to the store's tmp/, never held
// in memory or read through the 1 MiB body reader), list, inspect and remove by reference.
import { MinipodError } from '../errors.js';
import type { ImageStore } from '../image/store.js';
import { MAX_IMAGE_BYTES, type ImageList, type ImageRemoved } from './protocol.js';
import type { Route } from './routes.js';

/** An image reference from a path segment (percent-encoded: it may hold "/", ":" and "@"). */
export function imageRef(raw: string | undefined): string {
  let ref: string;
  try {
    ref = decodeURIComponent(raw ?? '');
  } catch {
    throw new MinipodError('INVALID_ARGUMENT', `image reference "${raw}" is not valid percent-encoding`);
  }
  if (!ref || ref.length > 512) throw new MinipodError('INVALID_ARGUMENT', 'an image reference is 1 to 512 characters, e.g. httpd, bootcamp:v1 or an image ID');
  return ref;
}

export function imageRoutes(images: ImageStore, imageUsers: (id: string) => string[]): Route[] {
  return [
    ['POST', /^\/images$/, async ({ req, res }): Promise<ImageList> => {
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > MAX_IMAGE_BYTES) {
        res.setHeader('Connection', 'close'); // not read: the rest of the body is not waited for
        throw new MinipodError('INVALID_ARGUMENT', `image archive of ${length} bytes: minipod imports archives of at most ${MAX_IMAGE_BYTES / 1024 ** 3} GiB`, { status: 413 });
      }
      const imported = await images.importStream(req, MAX_IMAGE_BYTES);
      res.statusCode = 201;
      return { images: imported };
    }, { streamBody: true }],
    ['GET', /^\/images$/, async (): Promise<ImageList> => ({ images: images.list() })],
    ['GET', /^\/images\/([^/]+)$/, async ({ params }) => images.inspect(imageRef(params[0]))],
    ['DELETE', /^\/images\/([^/]+)$/, async ({ params }): Promise<ImageRemoved> => images.remove(imageRef(params[0]), imageUsers)],
  ];
}
