// The container log limits (--container-log-max-size, --container-log-max-files) and their check,
// apart from the rotation (log-rotation.ts) and its logger, which the CLI does not need.
import { MinipodError } from '../errors.js';
import { parseQuantity } from '../manifest/quantity.js';

export interface LogLimits {
  maxSize: number;
  maxFiles: number;
}

/** kubelet's defaults, as the flags spell them. */
export const DEFAULT_LOG_FLAGS = { maxSize: '10Mi', maxFiles: '5' } as const;
export const DEFAULT_LOG_LIMITS: LogLimits = { maxSize: 10 * 1024 ** 2, maxFiles: 5 };
/** Below these, rotation would run all the time (size) or keep nothing (files). */
export const MIN_LOG_SIZE = 16 * 1024;
export const MIN_LOG_FILES = 2;

/** The daemon's --container-log-max-size/--container-log-max-files, checked; errors name the flag. */
export function logLimits(maxSize: string, maxFiles: string): LogLimits {
  const size = parseQuantity(String(maxSize));
  if (size === undefined || size < MIN_LOG_SIZE) {
    throw new MinipodError('INVALID_ARGUMENT', `--container-log-max-size ${maxSize}: give a size of at least 16Ki, in bytes or with Ki, Mi, Gi (e.g. 10Mi)`);
  }
  const files = /^\d+$/.test(String(maxFiles).trim()) ? Number(maxFiles) : NaN;
  if (!Number.isSafeInteger(files) || files < MIN_LOG_FILES) {
    throw new MinipodError('INVALID_ARGUMENT', `--container-log-max-files ${maxFiles}: give a whole number of at least ${MIN_LOG_FILES} (the current file and one rotated)`);
  }
  return { maxSize: size, maxFiles: files };
}
