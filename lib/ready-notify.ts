// How a daemon tells the process that started it that it serves its API, as systemd's
// NOTIFY_SOCKET: the launcher listens on a unix socket of its own and passes its path
// (--notify-socket); the daemon connects and says "ready" once it answers. The launcher learns it
// the moment it is true: polling the API socket found it up to a poll later, then asked over HTTP.
// A stream socket, not systemd's datagram one: Node has none. Not an inherited pipe either: Node
// can set no close-on-exec flag on a descriptor it did not open, so every child the daemon started
// (a pause holder, a shim) would have kept it.
// A restart's new daemon also asks there for the handoff (store/handoff.ts): it says "handoff" and
// reads what the launcher answers (what the daemon it replaces vouched for, or nothing) to the end.
import net from 'node:net';
import { MinipodError } from './errors.js';
import { log } from './log.js';
import { exchange } from './util/exchange.js';
import { removeFile } from './util/remove-file.js';

const READY = 'ready\n';
const HANDOFF = 'handoff\n';
/** sun_path holds 108 bytes with its NUL; Node shortens a longer path without a word. */
const SOCKET_PATH_MAX = 107;

export interface ReadyListener {
  /** What the daemon is given: --notify-socket PATH. */
  readonly path: string;
  /** Resolves once a daemon said ready on it. */
  readonly ready: Promise<'ready'>;
  /** Stop listening and remove the socket. */
  close(): Promise<void>;
}

/**
 * Listen on path (in a root-only directory, one launcher at a time: a file there is a dead one's) for
 * a daemon's "ready". handoff: what a daemon asking for it is answered once it settles ('' for none).
 */
export async function listenReady(path: string, handoff: PromiseLike<string> = Promise.resolve('')): Promise<ReadyListener> {
  if (Buffer.byteLength(path) > SOCKET_PATH_MAX) throw new MinipodError('INVALID_ARGUMENT', `${path}: a unix socket's path has at most ${SOCKET_PATH_MAX} bytes: give the node a shorter directory`);
  let said: () => void;
  const ready = new Promise<'ready'>((resolve) => (said = () => resolve('ready')));
  const server = net.createServer((conn) => {
    let text = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      text += chunk;
      if (text === READY) said();
      if (text === HANDOFF) void Promise.resolve(handoff).then((h) => conn.end(h), () => conn.end());
    });
    conn.on('error', () => {});
  });
  await removeFile(path); // one a launcher killed mid-start left
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new MinipodError('COMMAND_FAILED', `could not listen on ${path} for the daemon's start: ${err.message}`)));
    server.listen(path, resolve);
  });
  return {
    path,
    ready,
    close: async () => {
      server.close();
      await removeFile(path);
    },
  };
}

/**
 * How the daemon's start ended: 'ready', 'exited' (its process ended first: `exited`, from
 * lib/node/launch.ts, watches its pid and start time) or 'timeout'. The listener is closed after.
 */
export async function waitReady(listener: ReadyListener, exited: PromiseLike<unknown>, timeoutMs: number): Promise<'ready' | 'exited' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([listener.ready, Promise.resolve(exited).then(() => 'exited' as const), new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')))]);
  } finally {
    clearTimeout(timer);
    await listener.close();
  }
}

/** The launcher's answer to "handoff", whole; undefined if there is none by timeoutMs (a launcher gone, or stuck). */
export function askHandoff(path: string, timeoutMs = 2000): Promise<string | undefined> {
  return exchange(path, HANDOFF, timeoutMs);
}

/** Say ready on the launcher's socket; resolves once it is said (or could not be). A launcher gone meanwhile is no error: nobody to tell. */
export function notifyReady(path: string): Promise<void> {
  return new Promise((resolve) => {
    const conn = net.connect(path, () => conn.end(READY, resolve));
    conn.on('error', (err) => {
      log.warn({ notifySocket: path, err: err.message }, 'could not tell the launcher that the daemon is ready');
      resolve();
    });
  });
}
