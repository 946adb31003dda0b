// --container-log-max-size / --container-log-max-files, shared by `daemon` and `node start`.
import type { Argv } from 'yargs';
import { MinipodError } from '../lib/errors.js';
import { DEFAULT_LOG_FLAGS, logLimits, type LogLimits } from '../lib/pod/log-limits.js';
import { usage } from './common.js';

export interface LogFlagArgs {
  'container-log-max-size'?: string;
  'container-log-max-files'?: string;
}

/** The two options; with defaults for the daemon, without for a node (which keeps its own). */
export function logFlagOptions<T>(y: Argv<T>, defaults: boolean): Argv<T> {
  return y
    .option('container-log-max-size', { type: 'string', ...(defaults ? { default: DEFAULT_LOG_FLAGS.maxSize } : {}), describe: "Rotate a container's log once it passes this size (bytes, Ki, Mi, Gi; at least 16Ki), as kubelet's containerLogMaxSize" })
    .option('container-log-max-files', { type: 'string', ...(defaults ? { default: DEFAULT_LOG_FLAGS.maxFiles } : {}), describe: 'Log files kept per container, the current one included (at least 2), as kubelet\'s containerLogMaxFiles' });
}

/** The limits the flags give (usage error naming the flag if bad); defaults fill what is not given. */
export function checkLogFlags(argv: LogFlagArgs): LogLimits {
  try {
    return logLimits(argv['container-log-max-size'] ?? DEFAULT_LOG_FLAGS.maxSize, argv['container-log-max-files'] ?? DEFAULT_LOG_FLAGS.maxFiles);
  } catch (err) {
    if (err instanceof MinipodError) usage(err.message);
    throw err;
  }
}
