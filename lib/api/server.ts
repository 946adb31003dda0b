// HTTP+JSON over a root-only unix socket: bodies are read and requests routed here (the routes
// are in routes.ts, what they accept in schemas.ts). No request can crash the daemon: errors
// become a JSON body with a stable code and the status MinipodError.status gives it.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import { asMinipodError, MinipodError } from '../errors.js';
import { log } from '../log.js';
import { API_PREFIX, EXEC_UPGRADE, MAX_BODY_BYTES } from './protocol.js';
import { apiRoutes, type ApiDeps } from './routes.js';
import { check, execArgv, execQuery, queryOf } from './schemas.js';
import { keyParam } from './scope.js';
import { relayExec } from './streams.js';
import { waitAtMost } from '../util/wait.js';

export type { ApiDeps } from './routes.js';

/**
 * Every request's body is read before its handler runs (bounded: a manifest is a few kilobytes),
 * so a client is never cut off mid-send by an early answer, whatever the route does with the body;
 * but for a streamed route (`POST /images`), whose handler reads the body itself.
 */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new MinipodError('INVALID_ARGUMENT', `request body larger than ${MAX_BODY_BYTES} bytes: a pod manifest is a few kilobytes`, { status: 413 });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The API's server, and how a shutdown lets the answers already being worked out go out. */
export interface ApiServer extends http.Server {
  /** No new connection, and a request on one still open is answered 503 (the daemon is going). */
  stopTaking(): void;
  /**
   * Resolves once every request taken before stopTaking has its answer sent, or after ms: a create
   * or an `rm` under way is finished by the shutdown (pods.detachAll waits for it), and its client
   * hears how it went instead of a reset connection, as does a `logs` of a large file. An open-ended
   * answer (`logs -f`, `events -f`, port-forward: its route's `open`) is not waited for, begun or
   * not: closing the connections ends it.
   */
  answered(ms: number): Promise<void>;
}

export function createApiServer(deps: ApiDeps): ApiServer {
  const { pods } = deps;
  const routes = apiRoutes(deps);
  /** The requests taken, each until its answer is sent; open: one without an end of its own. */
  type Working = { res: ServerResponse; open: boolean; done: Promise<void> };
  const working = new Set<Working>();
  let taking = true;
  const server = http.createServer((req, res) => {
    if (!taking) {
      req.resume(); // its body read and dropped: the client then hears the 503, not a broken pipe
      res.setHeader('Connection', 'close');
      send(res, 503, { error: shuttingDown().toJSON() });
      return;
    }
    // Done once the answer has gone out (a response flushed, not only begun).
    const entry: Working = { res, open: false, done: Promise.resolve() };
    entry.done = answer(req, res, entry).then(() => finished(res).catch(() => {}));
    working.add(entry);
    void entry.done.then(() => working.delete(entry));
  });
  const answer = async (req: IncomingMessage, res: ServerResponse, entry: Working): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://minipod');
      const rel = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : undefined;
      const matching = rel === undefined ? [] : routes.filter(([, re]) => re.test(rel));
      const route = matching.find(([m]) => m === req.method);
      entry.open = route?.[3]?.open?.(url.searchParams) ?? false;
      // A streamed route (an image archive) reads its own body; every other body is read here.
      const body = route?.[3]?.streamBody ? Buffer.alloc(0) : await readBody(req);
      if (!taking) throw shuttingDown(); // its body came in after the shutdown began: nothing done
      if (rel === undefined) throw new MinipodError('NOT_FOUND', `no such endpoint ${url.pathname}`);
      if (!route) {
        if (matching.length) throw new MinipodError('INVALID_ARGUMENT', `method ${req.method} not allowed on ${url.pathname}`, { status: 405 });
        throw new MinipodError('NOT_FOUND', `no such endpoint ${req.method} ${url.pathname}`);
      }
      const result = await route[2]({ req, body, res, params: route[1].exec(rel)!.slice(1), query: url.searchParams });
      if (result !== undefined && !res.headersSent) send(res, res.statusCode || 200, result);
    } catch (err) {
      const e = asMinipodError(err);
      if (e.code === 'INTERNAL') log.error({ err }, 'request failed');
      if (!res.headersSent) send(res, e.status, { error: e.toJSON() });
      else res.end();
    }
  };
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!taking) return void socket.end(rawError(shuttingDown()));
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://minipod');
        const m = /^\/v1\/pods\/([^/]+)\/exec$/.exec(url.pathname);
        if (!m || req.headers.upgrade !== EXEC_UPGRADE) throw new MinipodError('NOT_FOUND', `no such upgrade endpoint ${url.pathname}`);
        const argv = check(execArgv, url.searchParams.getAll('argv'));
        const { container, tty } = check(execQuery, queryOf(url.searchParams));
        const key = keyParam(m[1], url.searchParams);
        const pod = pods.get(key);
        if (pod.phase !== 'Running' || !pod.sandbox) throw new MinipodError('CONFLICT', `pod ${pod.name} is ${pod.phase}: exec needs a Running pod`);
        const { proc, ...started } = await pods.exec(key, argv, { container, tty });
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${EXEC_UPGRADE}\r\n\r\n`);
        relayExec(proc, socket, head, { tty: !!tty, ...started });
      } catch (err) {
        socket.end(rawError(asMinipodError(err)));
      }
    })();
  });
  // A request Node's parser rejects before any handler runs (an unknown method, a malformed
  // request line, headers too large) still gets a JSON error body, then the connection closes;
  // unless an answer has begun on it, which a second one would corrupt (Node's own rule).
  server.on('clientError', (err: NodeJS.ErrnoException & { reason?: string }, socket: Socket & { _httpMessage?: ServerResponse | null }) => {
    if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const what = err.code === 'HPE_INVALID_METHOD' ? 'unknown HTTP method (the API takes GET, POST, PUT and DELETE)' : (err.reason ?? err.message);
    socket.end(rawError(new MinipodError('INVALID_ARGUMENT', `malformed HTTP request: ${what}`, { status })));
  });
  return Object.assign(server, {
    stopTaking() {
      taking = false;
      server.close();
    },
    async answered(ms: number) {
      await waitAtMost(Promise.all([...working].filter((w) => !w.open).map((w) => w.done)), ms);
    },
  });
}

const shuttingDown = () => new MinipodError('UNAVAILABLE', 'the minipod daemon is shutting down (`node restart` replaces it, or it was stopped): retry in a moment');

/** An error answer written straight to a socket that has no ServerResponse (upgrade, parse errors). */
function rawError(e: MinipodError): string {
  const body = JSON.stringify({ error: e.toJSON() });
  return `HTTP/1.1 ${e.status} ${http.STATUS_CODES[e.status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
