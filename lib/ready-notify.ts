// How a daemon tells the process that started it that it serves its API, as systemd's
// NOTIFY_SOCKET: the launcher listens on a unix socket of its own and passes its path
// (--notify-socket); the daemon connects and says "ready" once it answers. The launcher learns it
// the moment it is true: polling the API socket found it up to a poll later, then asked over HTTP.
// A stream socket, not systemd's datagram one: Node has none. Not an inherited pipe either: Node
// can set no close-on-exec flag on a descriptor it did not open, so every child the daemon started
// (a pause holder, a shim) would have kept it.
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { log } from './log.js';

const READY = 'ready\n';

export interface ReadyListener {
  /** What the daemon is given: --notify-socket PATH. */
  readonly path: string;
  /** Resolves once a daemon said ready on it. */
  readonly ready: Promise<'ready'>;
  /** Stop listening and remove the socket. */
  close(): Promise<void>;
}

/** Listen on path (in a root-only directory) for a daemon's "ready". */
export async function listenReady(path: string): Promise<ReadyListener> {
  let said: () => void;
  const ready = new Promise<'ready'>((resolve) => (said = () => resolve('ready')));
  const server = net.createServer((conn) => {
    let text = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      text += chunk;
      if (text === READY) said();
    });
    conn.on('error', () => {});
  });
  await rm(path, { force: true }); // one a launcher killed mid-start left
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return {
    path,
    ready,
    close: async () => {
      server.close();
      await rm(path, { force: true });
    },
  };
}

/** Say ready on the launcher's socket. A launcher gone meanwhile is no error: nobody to tell. */
export function notifyReady(path: string): void {
  const conn = net.connect(path, () => conn.end(READY));
  conn.on('error', (err) => log.warn({ notifySocket: path, err: err.message }, 'could not tell the launcher that the daemon is ready'));
}
