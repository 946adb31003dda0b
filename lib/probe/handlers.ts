// The three probe handlers, each resolving to an outcome (never rejecting). HTTP and TCP go from
// the daemon, which lives in the node's network namespace, to the pod's IP, as kubelet probes
// from the node; exec runs the command in the container through the exec machinery. Failure
// messages are kubelet's (Go's) words, so an event reads as it would in a cluster.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Proc } from '../os/host.js';
import { onExit } from '../process/exit.js';
import { stopProcess } from '../process/stop.js';

export interface ProbeOutcome {
  ok: boolean;
  /** Why it failed (kubelet's message), or empty. */
  message: string;
}

/** What kubelet reads of a body or a command's output, at most. */
const MAX_OUTPUT = 10 * 1024;

/** Go's net error text for a connect that failed (what kubelet's messages carry). */
function dialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const addr = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const why = ({ ECONNREFUSED: 'connect: connection refused', EHOSTUNREACH: 'connect: no route to host', ENETUNREACH: 'connect: network is unreachable', ECONNRESET: 'read: connection reset by peer' } as Record<string, string>)[err.code ?? ''];
  return `dial tcp ${addr}: ${why ?? err.message}`;
}

export interface HttpTarget {
  scheme: 'HTTP' | 'HTTPS';
  host: string;
  port: number;
  path: string;
  headers: { name: string; value: string }[];
}

/** GET; 200-399 is success (a redirect is not followed). HTTPS: the certificate is not verified, as kubelet does not. */
export function httpProbe(t: HttpTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const path = t.path.startsWith('/') ? t.path : `/${t.path}`;
  const url = `${t.scheme.toLowerCase()}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/minipod', Accept: '*/*', Connection: 'close' };
  for (const h of t.headers) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const lib = t.scheme === 'HTTPS' ? https : http;
    let done = false;
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(o);
    };
    const req = lib.request(url, { method: 'GET', headers, agent: false, ...(t.scheme === 'HTTPS' ? { rejectUnauthorized: false } : {}) }, (res) => {
      const code = res.statusCode ?? 0;
      let read = 0;
      const body: Buffer[] = [];
      res.on('data', (d: Buffer) => {
        if (read < MAX_OUTPUT) body.push(d);
        read += d.length;
      });
      res.on('error', () => {});
      const settle = () => finish(code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      res.on('end', settle);
      res.on('close', settle);
    });
    const timer = setTimeout(() => finish({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` }), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, message: `Get "${url}": ${err.code && err.syscall === 'connect' ? dialError(err, t.host, t.port) : err.message}` }));
    req.end();
  });
}

/** A TCP connection that opens is success; it is closed at once. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (o: ProbeOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }), timeoutMs);
    socket.once('connect', () => finish({ ok: true, message: '' }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ ok: false, message: dialError(err, host, port) }));
  });
}

/**
 * A command started in the container (by `start`, the exec machinery): exit 0 is success; its
 * output is the failure's message, as kubelet reports it. Killed when it outlives the timeout.
 */
export async function execProbe(argv: string[], timeoutMs: number, start: () => Promise<{ proc: Proc }>): Promise<ProbeOutcome> {
  let proc: Proc;
  try {
    ({ proc } = await start()); // wrapped: a Proc is a thenable, which await would unwrap
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  proc.stdin?.end();
  const out: Buffer[] = [];
  let read = 0;
  const collect = (d: Buffer) => {
    if (read < MAX_OUTPUT) out.push(d);
    read += d.length;
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stopProcess(proc, 0).catch(() => {}); // gone meanwhile, or stuck: the pod's stop sweeps it
      resolve({ ok: false, message: `command ${JSON.stringify(argv.join(' '))} timed out` });
    }, timeoutMs);
    onExit(proc, (code, signal) => {
      clearTimeout(timer);
      // The output is read to its end first (the pipes may still hold some after the exit).
      setImmediate(() => {
        const text = Buffer.concat(out).toString().slice(0, MAX_OUTPUT).trim();
        resolve(code === 0 ? { ok: true, message: '' } : { ok: false, message: text || `command ${JSON.stringify(argv.join(' '))} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}` });
      });
    });
  });
}
