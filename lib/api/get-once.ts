// One request to the daemon on a connection of its own, written and read here over node:net: the
// GETs of the quick listings (cmd/quick.ts), and the POST /shutdown of `node stop|restart`, which
// load no node:http. In a fresh process Node's http client costs about 8 ms more
// than this (a first GET /v1/stats took 20 ms through node:http and 12 ms through node:net, the
// compile of its modules and its agent's set-up), a quarter of what `ps` may add to `node -e 0`.
// The daemon's server is node:http's: it answers HTTP/1.1 with a Content-Length and, as asked,
// closes the connection after the answer, so the answer is what arrives before the end.
import net from 'node:net';
import { MinipodError } from '../errors.js';
import { API_PREFIX } from './protocol.js';
import { scopedPath, toError, unreachableError } from './socket.js';

export interface GetOptions {
  /** -n: ?namespace= on a namespaced path, as ApiClient adds it. */
  namespace?: string | undefined;
  /** The Accept header (lib/pod/table.ts TABLE_ACCEPT asks for a Table). */
  accept?: string;
  /** Runs once the request is written: what the caller does then overlaps the daemon's work. */
  onSent?: () => void;
}

export interface RequestOptions extends GetOptions {
  /** GET unless given. */
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Give up once the connection has been silent this long (UNAVAILABLE). */
  timeoutMs?: number;
}

/** The parsed body of a 2xx answer to GET path; a non-2xx one is thrown as its MinipodError. */
export function getOnce<T>(socketPath: string, path: string, opts: GetOptions = {}): Promise<T> {
  return requestOnce<T>(socketPath, path, opts);
}

/** The parsed body of a 2xx answer to METHOD path (undefined for an empty one); a non-2xx one is thrown as its MinipodError. */
export function requestOnce<T>(socketPath: string, path: string, { namespace, accept, onSent, method = 'GET', body, timeoutMs }: RequestOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(socketPath);
    // Before any answer: no daemon there (or not root). After: the daemon broke off its answer. Or silent too long.
    socket.on('error', (err) => reject(err instanceof MinipodError ? err : chunks.length ? new MinipodError('UNAVAILABLE', `the minipod daemon at ${socketPath} broke off its answer: ${err.message}`) : unreachableError(socketPath, err)));
    if (timeoutMs) socket.setTimeout(timeoutMs, () => socket.destroy(new MinipodError('UNAVAILABLE', `the minipod daemon at ${socketPath} did not answer ${method} ${path} within ${timeoutMs / 1000}s`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      try {
        const text = bodyOf(Buffer.concat(chunks));
        resolve((text ? JSON.parse(text) : undefined) as T);
      } catch (err) {
        reject(err);
      }
    });
    const payload = body === undefined ? '' : JSON.stringify(body);
    const headers = ['Host: localhost', 'Connection: close', ...(accept ? [`Accept: ${accept}`] : []), ...(body === undefined ? [] : ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`])];
    socket.write(`${method} ${API_PREFIX}${scopedPath(path, namespace)} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${payload}`, onSent);
  });
}

/** The body of a whole HTTP/1.1 answer, if its status is 2xx; else the error it carries. */
export function bodyOf(answer: Buffer): string {
  const end = answer.indexOf('\r\n\r\n');
  const head = (end < 0 ? '' : answer.subarray(0, end).toString('latin1')).split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3}) /.exec(head[0]!)?.[1];
  if (end < 0 && answer.subarray(0, 5).toString('latin1') === 'HTTP/') throw new MinipodError('INTERNAL', `the daemon's answer was cut short in its headers (${answer.length} bytes)`);
  if (!status) throw new MinipodError('INTERNAL', `the daemon's answer is not HTTP: ${JSON.stringify(answer.subarray(0, 60).toString('latin1'))}`);
  const header = (name: string) => head.find((h) => h.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
  if (header('transfer-encoding')) throw new MinipodError('INTERNAL', `the daemon's answer is sent in ${header('transfer-encoding')} transfer coding, which this client does not read`);
  const length = header('content-length');
  const body = answer.subarray(end + 4);
  if (length !== undefined && body.length !== Number(length)) throw new MinipodError('INTERNAL', `the daemon's answer was cut short: ${body.length} of ${length} bytes`);
  const text = body.toString('utf8');
  if (Number(status) >= 300) throw toError(Number(status), text);
  return text;
}
