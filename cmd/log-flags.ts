// --container-log-max-size / --container-log-max-files, shared by `daemon` and `node start`.
import { MinipodError } from '../lib/errors.js';
import { DEFAULT_LOG_FLAGS, logLimits, type LogLimits } from '../lib/pod/log-limits.js';
import { usage } from './common.js';

export interface LogFlagArgs {
  'container-log-max-size'?: string;
  'container-log-max-files'?: string;
}

/** What the two options say in --help (the daemon's and the node's flag tables). */
export const LOG_FLAG_DESCRIPTIONS = {
  'container-log-max-size': "Rotate a container's log once it passes this size (bytes, Ki, Mi, Gi; at least 16Ki), as kubelet's containerLogMaxSize",
  'container-log-max-files': "Log files kept per container, the current one included (at least 2), as kubelet's containerLogMaxFiles",
} as const;

/** The limits the flags give (usage error naming the flag if bad); defaults fill what is not given. */
export function checkLogFlags(argv: LogFlagArgs): LogLimits {
  try {
    return logLimits(argv['container-log-max-size'] ?? DEFAULT_LOG_FLAGS.maxSize, argv['container-log-max-files'] ?? DEFAULT_LOG_FLAGS.maxFiles);
  } catch (err) {
    if (err instanceof MinipodError) usage(err.message);
    throw err;
  }
}
