// What `pino` is in the bundle of `node start|stop|restart|env` (scripts/bundle.js): those commands
// only ever log for a person (lib/log.ts turns each JSON line into "minipod: warning: …" on
// stderr), so pino itself, with sonic-boom, thread-stream and the worker_threads and assert
// modules it loads, is left out: 5-6 ms of every `node restart` (issue 13, measured here). Lines
// as pino writes them to a stream: {"level":N,…fields,"msg":…}. The daemon's bundle keeps pino.
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type Level = keyof typeof LEVELS;
type LineFn = (fieldsOrMsg?: object | string, msg?: string) => void;

/** An Error in a field is written as its message (pino writes {type, message, stack}; a person reads the message). */
const plain = (fields: object) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? v.message : v]));

export function pino(options: { level?: string }, stream: { write(line: string): void }): Record<Level, LineFn> {
  const least = options.level === 'silent' ? Infinity : (LEVELS[options.level as Level] ?? LEVELS.info);
  const line = (level: number): LineFn => (level < least ? () => {} : (fieldsOrMsg, msg) => {
    const fields = typeof fieldsOrMsg === 'object' && fieldsOrMsg !== null ? plain(fieldsOrMsg) : {};
    const text = typeof fieldsOrMsg === 'string' ? fieldsOrMsg : msg;
    stream.write(`${JSON.stringify({ level, ...fields, ...(text !== undefined ? { msg: text } : {}) })}\n`);
  });
  return Object.fromEntries(Object.entries(LEVELS).map(([name, level]) => [name, line(level)])) as Record<Level, LineFn>;
}
