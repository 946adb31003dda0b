// The daemon's logger (pino). Lines about a pod go through podLogger so they carry its name and uid.
import { pino, type Logger } from 'pino';

export type { Logger };

export const log: Logger = pino({
  level: process.env.MINIPOD_LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
});

/** The levels a pod's lines are written at. */
export interface PodLog {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/**
 * A pod's lines: its name and uid first, as a pino child would write them, without making one per
 * line (a child costs more than its line, and a restart writes one for every pod).
 */
export function podLogger(pod: { name: string; uid: string }): PodLog {
  const line = (level: keyof PodLog) => (fields: object, msg: string) => log[level]({ pod: pod.name, podUid: pod.uid, ...fields }, msg);
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
