// One exchange on a unix socket: a message written, the answer read to the end of the connection.
// How a node's launcher and its daemons talk (ready-notify.ts, node/spare-launch.ts).
import net from 'node:net';

/** The whole answer to message on the socket at path; undefined if there is no socket, or no end of the answer by timeoutMs. */
export function exchange(path: string, message: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const conn = net.connect(path, () => conn.write(message));
    const timer = setTimeout(() => {
      conn.destroy();
      resolve(undefined);
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => (text += chunk));
    conn.on('end', () => {
      clearTimeout(timer);
      conn.end();
      resolve(text);
    });
    conn.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}
