// The API's wire types and the error body every non-2xx response carries.
import type { ImageRecord, RemoveResult } from '../image/store.js';
import type { ContainerTop } from '../pod/top.js';
import type { PodRecord } from '../pod/types.js';

export const API_PREFIX = '/v1';
export const MAX_BODY_BYTES = 1024 * 1024;
/** An image archive (POST /images, streamed to the store's tmp/): at most 4 GiB. */
export const MAX_IMAGE_BYTES = 4 * 1024 ** 3;

export interface ErrorBody {
  error: { code: string; message: string; details?: string[] };
}

export interface PodList {
  pods: PodRecord[];
}

export interface Stats {
  spawns: number;
  pods: number;
  /** Pods removed (gone for the user) whose teardown is still under way. */
  removing: number;
  /** The boot's housekeeping (pod/housekeeping.ts) has yet to finish: after a clean handoff it runs once the daemon answers. */
  housekeeping: boolean;
  rssBytes: number;
  /** process.memoryUsage() besides rss: the JS heap in use, memory held outside it (Buffers…). */
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  /** Events held in memory (GET /events): bounded, the oldest dropped first. */
  events: number;
  /** The pause holder started ahead of need (not a pod's). */
  spareHolderPids: number[];
}

export const EXEC_UPGRADE = 'minipod-exec';

/** GET /images, and POST /images (the images the archive held). */
export interface ImageList {
  images: ImageRecord[];
}

/** DELETE /images/REF. */
export type ImageRemoved = RemoveResult;

/** GET /pods/NAME/top: each container's CPU (milliCPU over a short window) and working set (bytes). */
export interface PodTop {
  pod: string;
  containers: ContainerTop[];
}
