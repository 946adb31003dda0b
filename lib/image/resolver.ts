// The image store as the pod verbs ask it (pod/live.ts ImageResolver): an image that is not there
// is `undefined`, not an error.
import { MinipodError } from '../errors.js';
import type { ImageResolver } from '../pod/live.js';
import type { ImageStore } from './store.js';

export function imageResolver(images: ImageStore): ImageResolver {
  return {
    async resolve(ref) {
      try {
        const found = images.resolve(ref);
        return { id: found.id, ref, layerDirs: found.layerDirs, config: found.config };
      } catch (err) {
        if (err instanceof MinipodError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      }
    },
  };
}
