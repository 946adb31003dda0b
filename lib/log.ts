// The daemon's logger (pino). Lines about a pod go through podLogger so they carry its name and uid.
// A command other than the daemon (`node restart`, `node stop`…) shares the code that logs, and a
// person reads what it says: there a warning is one line on stderr, "minipod: warning: …", where
// the daemon writes pino's JSON lines to its log.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Set by bin/minipod.js before it loads any command but the daemon. */
const forPeople = (globalThis as { minipodLogForPeople?: boolean }).minipodLogForPeople === true;

export const log: Logger = forPeople
  ? pino({ level: process.env.MINIPOD_LOG_LEVEL || 'warn', base: null, timestamp: false }, { write: (line: string) => void process.stderr.write(forAPerson(line)) })
  : pino({ level: process.env.MINIPOD_LOG_LEVEL || 'info', base: { pid: process.pid } });

/** A pino line as a person reads it: "minipod: warning: MSG (field value, …)". */
export function forAPerson(line: string): string {
  const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string } & Record<string, unknown>;
  const kind = level >= 50 ? 'error' : level >= 40 ? 'warning' : 'note';
  const extra = Object.entries(fields).map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `minipod: ${kind}: ${msg ?? ''}${extra.length ? ` (${extra.join(', ')})` : ''}\n`;
}

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
