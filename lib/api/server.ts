// HTTP+JSON over a root-only unix socket. Every request is parsed and validated here; no
// request can crash the daemon (errors become a JSON body with a stable code and a 4xx/5xx).
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { constants } from 'node:os';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { asMinipodError, MinipodError } from '../errors.js';
import { spawnCount, type Proc } from '../exec/run.js';
import { armedFailpoints, armFailpoints } from '../failpoints.js';
import { log } from '../log.js';
import type { PodManager } from '../pod/manager.js';
import type { HolderPool } from '../sandbox/pool.js';
import { signalGroup } from '../process/stop.js';
import { validateManifest } from '../spec/parse.js';
import { DNS_LABEL } from '../spec/pod-spec.js';
import type { EventLog, PodEvent } from '../supervisor/events.js';
import { encodeFrame, Frame, readFrames } from './frames.js';
import { API_PREFIX, EXEC_UPGRADE, MAX_BODY_BYTES, type Stats } from './protocol.js';

interface Ctx {
  req: IncomingMessage;
  body: Buffer;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
}
type Handler = (ctx: Ctx) => Promise<unknown>;

export interface ApiDeps {
  pods: PodManager;
  pool: HolderPool;
  events: EventLog;
  /** Stop the daemon once `after` settles (the reply is sent); with stopPods, every pod first.
   * False if a shutdown is already under way. */
  shutdown(stopPods: boolean, after: Promise<unknown>): boolean;
}

function podName(raw: string | undefined): string {
  let name: string;
  try {
    name = decodeURIComponent(raw ?? '');
  } catch {
    throw new MinipodError('INVALID_ARGUMENT', `pod name "${raw}" is not valid percent-encoding`);
  }
  if (!DNS_LABEL.test(name)) throw new MinipodError('INVALID_ARGUMENT', `pod name "${name}" is not a DNS-1123 label`);
  return name;
}

/** A JSON object body (a manifest, a kill target), never an array, a string or null. */
function readObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new MinipodError('INVALID_ARGUMENT', 'request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new MinipodError('INVALID_ARGUMENT', 'request body must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Every request's body is read before it is routed (bounded: a manifest is a few kilobytes), so a
 * client is never cut off mid-send by an early answer, whatever the route does with the body.
 */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw Object.assign(new MinipodError('INVALID_ARGUMENT', `request body larger than ${MAX_BODY_BYTES} bytes: a pod manifest is a few kilobytes`), { httpStatus: 413 });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function createApiServer({ pods, events, pool, shutdown }: ApiDeps): http.Server {
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/health$/, async () => ({ ok: true, pid: process.pid })],
    ['GET', /^\/stats$/, async (): Promise<Stats> => ({ spawns: spawnCount(), pods: pods.list().length, rssBytes: process.memoryUsage().rss, spareHolderPid: await pool.sparePid() })],
    ['GET', /^\/pods$/, async () => ({ pods: await pods.listObserved() })],
    ['POST', /^\/pods$/, async ({ body, res }) => {
      const pod = await pods.create(validateManifest(readObject(body)));
      res.statusCode = 201;
      return pod;
    }],
    ['GET', /^\/pods\/([^/]+)$/, async ({ params }) => pods.inspect(podName(params[0]))],
    ['POST', /^\/pods\/([^/]+)\/stop$/, async ({ params }) => pods.stop(podName(params[0]))],
    ['DELETE', /^\/pods\/([^/]+)$/, async ({ params, query }) => {
      await pods.remove(podName(params[0]), query.get('force') === 'true');
      return { removed: params[0] };
    }],
    ['POST', /^\/pods\/([^/]+)\/kill$/, async ({ body: raw, params }) => {
      const body = readObject(raw);
      const signal = `SIG${String(body.signal ?? 'KILL').replace(/^SIG/i, '').toUpperCase()}`;
      if (!(signal in constants.signals)) throw new MinipodError('INVALID_ARGUMENT', `unknown signal ${String(body.signal)}`);
      const hasContainer = typeof body.container === 'string';
      if ((body.sandbox === true) === hasContainer) throw new MinipodError('INVALID_ARGUMENT', 'kill needs exactly one target: {"sandbox": true} or {"container": NAME}');
      return pods.kill(podName(params[0]), hasContainer ? { container: body.container as string } : { sandbox: true }, signal as NodeJS.Signals);
    }],
    ['GET', /^\/pods\/([^/]+)\/logs$/, async ({ params, query, res }) => streamLogs(pods, podName(params[0]), query, res)],
    ['GET', /^\/events$/, async ({ query, res }) => streamEvents(events, query, res)],
    ['GET', /^\/gc$/, async () => ({ orphans: await pods.gc(false) })],
    ['POST', /^\/gc$/, async () => ({ orphans: await pods.gc(true) })],
    ['POST', /^\/shutdown$/, async ({ body: raw, res }) => {
      const body = raw.length ? readObject(raw) : {};
      const unknown = Object.keys(body).filter((k) => k !== 'stopPods');
      if (unknown.length || (body.stopPods !== undefined && typeof body.stopPods !== 'boolean')) throw new MinipodError('INVALID_ARGUMENT', 'expected {"stopPods": true|false}');
      const stopPods = body.stopPods === true;
      // Answered first ('close': sent, or the client went away): the shutdown closes every connection.
      if (!shutdown(stopPods, once(res, 'close'))) throw new MinipodError('CONFLICT', 'the daemon is already shutting down');
      res.statusCode = 202;
      return { shuttingDown: true, stopPods };
    }],
  ];
  if (process.env.MINIPOD_DEBUG_API === '1') {
    // Fault injection for tests (lib/failpoints.ts); absent unless the daemon was started so.
    routes.push(['PUT', /^\/debug\/failpoints$/, async ({ body: raw }) => {
      const body = readObject(raw);
      if (!Array.isArray(body.names) || !body.names.every((n) => typeof n === 'string')) throw new MinipodError('INVALID_ARGUMENT', 'expected {"names": ["create/create-veth", …]}');
      armFailpoints(body.names as string[]);
      return { armed: armedFailpoints() };
    }]);
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const url = new URL(req.url ?? '/', 'http://minipod');
        if (!url.pathname.startsWith(`${API_PREFIX}/`)) throw new MinipodError('NOT_FOUND', `no such endpoint ${url.pathname}`);
        const rel = url.pathname.slice(API_PREFIX.length);
        const matching = routes.filter(([, re]) => re.test(rel));
        const route = matching.find(([m]) => m === req.method);
        if (!route) {
          if (matching.length) throw Object.assign(new MinipodError('INVALID_ARGUMENT', `method ${req.method} not allowed on ${url.pathname}`), { httpStatus: 405 });
          throw new MinipodError('NOT_FOUND', `no such endpoint ${req.method} ${url.pathname}`);
        }
        const result = await route[2]({ req, body, res, params: route[1].exec(rel)!.slice(1), query: url.searchParams });
        if (result !== undefined && !res.headersSent) send(res, res.statusCode || 200, result);
      } catch (err) {
        const e = asMinipodError(err);
        if (e.code === 'INTERNAL') log.error({ err }, 'request failed');
        const status = (err as { httpStatus?: number }).httpStatus ?? e.status;
        if (!res.headersSent) send(res, status, { error: e.toJSON() });
        else res.end();
      }
    })();
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(req.url ?? '/', 'http://minipod');
      const m = /^\/v1\/pods\/([^/]+)\/exec$/.exec(url.pathname);
      if (!m || req.headers.upgrade !== EXEC_UPGRADE) throw new MinipodError('NOT_FOUND', `no such upgrade endpoint ${url.pathname}`);
      const argv = url.searchParams.getAll('argv');
      if (!argv.length) throw new MinipodError('INVALID_ARGUMENT', 'exec needs a command: minipod exec POD -- CMD [ARGS…]');
      const pod = pods.get(podName(m[1]));
      if (pod.phase !== 'Running' || !pod.sandbox) throw new MinipodError('CONFLICT', `pod ${pod.name} is ${pod.phase}: exec needs a Running pod`);
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${EXEC_UPGRADE}\r\n\r\n`);
      relayExec(pods.exec(pod.name, argv), socket, head);
    } catch (err) {
      const e = asMinipodError(err);
      const body = JSON.stringify({ error: e.toJSON() });
      socket.end(`HTTP/1.1 ${e.status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
  });
  return server;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Run argv in the pod's namespaces, stdio relayed as frames; the last frame is the exit status. */
function relayExec(proc: Proc, socket: Duplex, head: Buffer): void {
  proc.stdout!.on('data', (d: Buffer) => socket.write(encodeFrame(Frame.stdout, d)));
  proc.stderr!.on('data', (d: Buffer) => socket.write(encodeFrame(Frame.stderr, d)));
  proc.stdin!.on('error', () => {}); // the command may exit without reading its input
  readFrames(socket, (type, data) => {
    if (type === Frame.stdin) proc.stdin!.write(data);
    else if (type === Frame.stdinEnd) proc.stdin!.end();
  }, head);
  socket.on('close', () => signalGroup(proc.pid!, 'SIGKILL')); // the command and what it started
  void proc.then((r) => {
    const exitCode = r.exitCode ?? (r.signal ? 128 + (constants.signals[r.signal as NodeJS.Signals] ?? 0) : 1);
    const message = r.exitCode === undefined && !r.signal ? r.message : undefined;
    socket.end(encodeFrame(Frame.exit, JSON.stringify({ exitCode, signal: r.signal ?? null, message })));
  });
}

async function streamLogs(pods: PodManager, name: string, query: URLSearchParams, res: ServerResponse): Promise<undefined> {
  const pod = pods.get(name);
  const names = pod.containers.map((c) => c.name);
  const wanted = query.get('container') ?? (names.length === 1 ? names[0] : undefined);
  if (!wanted) throw new MinipodError('INVALID_ARGUMENT', `pod ${name} has ${names.length} containers: choose one with -c (${names.join(', ')})`);
  const container = pod.containers.find((c) => c.name === wanted);
  if (!container) throw new MinipodError('NOT_FOUND', `container ${wanted} not found in pod ${name} (it has ${names.join(', ')})`);
  const file = container.logPath;
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  let offset = 0;
  // Rotation (copytruncate) truncates the file in place; a fast writer may have refilled it past
  // our offset by the next poll, so a new NAME.log.1 (a new inode) also means "start over".
  let rotatedIno: number | undefined;
  const copy = async () => {
    const ino = await stat(`${file}.1`).then((s) => s.ino, () => undefined); // first: a rotation between the two shows as a shrink
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size < offset || ino !== rotatedIno) offset = 0; // truncated
    rotatedIno = ino;
    if (size === offset) return;
    for await (const chunk of createReadStream(file, { start: offset, end: size - 1 })) res.write(chunk);
    offset = size;
  };
  await copy();
  if (query.get('follow') === 'true') {
    let open = true;
    res.on('close', () => (open = false));
    // Poll: the app writes its log file directly, so there is no daemon-side stream to tap.
    while (open && pods.list().some((p) => p.uid === pod.uid)) {
      await sleep(200);
      await copy();
    }
  }
  res.end();
  return undefined;
}

async function streamEvents(events: EventLog, query: URLSearchParams, res: ServerResponse): Promise<undefined> {
  const pod = query.get('pod') ?? undefined;
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  for (const e of events.list(pod)) res.write(`${JSON.stringify(e)}\n`);
  if (query.get('follow') !== 'true') {
    res.end();
    return undefined;
  }
  const onEvent = (e: PodEvent) => {
    if (!pod || e.pod === pod) res.write(`${JSON.stringify(e)}\n`);
  };
  events.on('event', onEvent);
  await new Promise<void>((resolve) => res.on('close', resolve));
  events.off('event', onEvent);
  return undefined;
}
