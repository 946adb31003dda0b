// The daemon's logger (pino). Lines about a pod go through podLogger so they carry its name and uid.
import { pino, type Logger } from 'pino';

export type { Logger };

export const log: Logger = pino({
  level: process.env.MINIPOD_LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
});

export function podLogger(pod: { name: string; uid: string }): Logger {
  return log.child({ pod: pod.name, podUid: pod.uid });
}
