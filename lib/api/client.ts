// The CLI's side of the API: requests over the unix socket, errors turned back into MinipodError.
import http from 'node:http';
import { MinipodError } from '../errors.js';
import { initFailed, initsOf } from '../pod/init-status.js';
import type { ContainerStatus, PodRecord } from '../pod/types.js';
import { encodeFrame, encodeResize, Frame, readFrames, type WindowSize } from './frames.js';
import { API_PREFIX, EXEC_UPGRADE } from './protocol.js';
import { scopedPath, toError, unreachableError } from './socket.js';

export interface RequestOptions {
  /** Give up once the connection has been silent this long (none by default: a stream may idle). */
  timeoutMs?: number;
}

export class ApiClient {
  /** namespace: -n; sent as ?namespace= on every pod, Deployment and event request (api/scope.ts). */
  constructor(
    readonly socketPath: string,
    readonly namespace?: string,
  ) {}

  private unreachable(err: NodeJS.ErrnoException): MinipodError {
    return unreachableError(this.socketPath, err);
  }

  private open(method: string, path: string, headers: Record<string, string> = {}, timeoutMs?: number): http.ClientRequest {
    // servername '': no TLS here; Node's agent would derive one with net.isIP (its first call compiles the IPv6 pattern: ms).
    const options: http.RequestOptions & { servername: string } = { socketPath: this.socketPath, servername: '', method, path: `${API_PREFIX}${scopedPath(path, this.namespace)}`, headers, timeout: timeoutMs };
    const req = http.request(options);
    // A stopped (SIGSTOP) or wedged daemon accepts the connection and never answers.
    if (timeoutMs) req.on('timeout', () => req.destroy(new MinipodError('UNAVAILABLE', `the minipod daemon at ${this.socketPath} did not answer ${method} ${path} within ${timeoutMs / 1000}s`)));
    return req;
  }

  /** A JSON request; resolves with the parsed body of a 2xx response. With timeoutMs, fails once
   * the connection has been silent that long. */
  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, body, opts);
    const text = await readAll(res);
    return text ? (JSON.parse(text) as T) : (undefined as T);
  }

  /** A streaming request: resolves with the response once its status is known to be 2xx. */
  async send(method: string, path: string, body?: unknown, { timeoutMs }: RequestOptions = {}): Promise<http.IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // A kept-alive connection the daemon closed as idle just as this request went out on it: the
    // request was never read (Node's advice: send it again, once, on a new connection).
    for (let again = true; ; again = false) {
      const req = this.open(method, path, payload ? { 'Content-Type': 'application/json' } : {}, timeoutMs);
      const res = await new Promise<http.IncomingMessage | undefined>((resolve, reject) => {
        req.on('response', resolve);
        req.on('error', (err: NodeJS.ErrnoException) => (again && req.reusedSocket && err.code === 'ECONNRESET' ? resolve(undefined) : reject(err instanceof MinipodError ? err : this.unreachable(err))));
        req.end(payload);
      });
      if (!res) continue;
      if (res.statusCode && res.statusCode >= 300) throw toError(res.statusCode, await readAll(res));
      return res;
    }
  }

  /** A request whose body is a stream (an image archive), sent as it is read; the parsed 2xx body. */
  async upload<T>(method: string, path: string, body: NodeJS.ReadableStream, contentLength?: number): Promise<T> {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-tar', ...(contentLength === undefined ? {} : { 'Content-Length': String(contentLength) }) };
    const req = this.open(method, path, headers);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', (err) => reject(err instanceof MinipodError ? err : this.unreachable(err)));
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    });
    const text = await readAll(res);
    if (res.statusCode && res.statusCode >= 300) throw toError(res.statusCode, text);
    return JSON.parse(text) as T;
  }

  /**
   * Wait until every container is ready (running, and passing its readinessProbe or listening on
   * its declared ports) or has
   * completed (exit 0), as a user expects before the first curl. Fails fast on a container that
   * failed and will not be restarted, or that is crash-looping; the pod stays, for `logs`.
   * With `created` (the record the create returned), also on a container that failed and was
   * restarted since; with `settleMs`, a ready container must have run that long: an app that
   * fails at start is restarted at once and would otherwise pass for Running. onPoll hears which
   * containers are still waited for after each look.
   */
  async waitReady(name: string, timeoutMs: number, opts: { created?: PodRecord; settleMs?: number; onPoll?: (waiting: string[]) => void } = {}): Promise<PodRecord> {
    const deadline = Date.now() + timeoutMs;
    const restarts = opts.created && new Map(opts.created.containers.map((c) => [c.name, c.restartCount]));
    const settleMs = opts.settleMs ?? 0;
    for (;;) {
      // The daemon observed the record after this moment: a container it shows ready has run at
      // least `asked - startedAt`. Timed at the answer instead, a slow answer (a loaded machine)
      // made an app that had already failed pass for settled (issue 12).
      const asked = Date.now();
      const pod = await this.request<PodRecord>('GET', `/pods/${encodeURIComponent(name)}`);
      const failure = failedContainer(pod, restarts);
      // Restarted and running again: the failed run's output is the previous run's.
      const again = pod.containers.some((c) => c.name === failure?.name && c.state === 'Running' && c.restartCount > 0);
      if (failure) throw new MinipodError('COMMAND_FAILED', `container ${failure.name} of pod ${name} ${failure.how}: see \`minipod logs ${name} -c ${failure.name}${again ? ' -p' : ''}\` (the pod is kept; \`minipod rm -f ${name}\` removes it)`);
      // Exit 0 is done only where nothing starts it again: under Always it is a restart to come (a crash loop, maybe).
      const done = (c: ContainerStatus) => completed(c) && pod.manifest.spec.restartPolicy !== 'Always';
      const settled = (c: ContainerStatus) => done(c) || (c.ready && (!settleMs || asked - Date.parse(c.startedAt ?? '') >= settleMs));
      if (pod.containers.every(settled)) return pod;
      opts.onPoll?.(pod.containers.filter((c) => !settled(c)).map((c) => c.name));
      if (Date.now() > deadline) {
        const waiting = pod.containers.filter((c) => !c.ready && !done(c)).map((c) => c.name);
        if (!waiting.length) return pod; // ready, only the settle window was left
        throw new MinipodError('UNAVAILABLE', `pod ${name} is ${pod.phase} but ${waiting.join(', ')} ${waiting.length > 1 ? 'are' : 'is'} not ready (running, and passing its readinessProbe or listening on its declared ports) after ${timeoutMs / 1000}s: see \`minipod logs ${name} -c ${waiting[0]}\``);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Run argv in a container of the pod (its first by default) with our stdio attached; resolves
   * with the command's exit code. With tty, on a terminal of that size, resized as watch reports. */
  async exec(pod: string, argv: string[], stdio: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, opts: ExecOptions = {}): Promise<number> {
    const { container, tty } = opts;
    const query = new URLSearchParams([...argv.map((a) => ['argv', a]), ...(container ? [['container', container]] : []), ...(tty ? [['tty', 'true'], ['rows', String(tty.size.rows)], ['cols', String(tty.size.cols)]] : [])]);
    const req = this.open('POST', `/pods/${encodeURIComponent(pod)}/exec?${query}`, { Connection: 'Upgrade', Upgrade: EXEC_UPGRADE });
    return new Promise<number>((resolve, reject) => {
      req.on('error', (err) => reject(this.unreachable(err)));
      req.on('response', (res) => void readAll(res).then((text) => reject(toError(res.statusCode ?? 500, text))));
      req.on('upgrade', (_res, socket, head) => {
        let code = 1;
        // Paced by the slower side, as on the daemon: our stdout full pauses the socket, the
        // socket full pauses our stdin.
        let blocked = false;
        const deliver = (out: NodeJS.WritableStream, data: Buffer) => {
          if (out.write(data) || blocked) return;
          blocked = true;
          socket.pause();
          out.once('drain', () => {
            blocked = false;
            socket.resume();
          });
        };
        readFrames(socket, (type, data) => {
          if (type === Frame.stdout) deliver(stdio.stdout, data);
          else if (type === Frame.stderr) deliver(stdio.stderr, data);
          else if (type === Frame.exit) {
            const status = JSON.parse(data.toString()) as { exitCode: number; message?: string };
            if (status.message) stdio.stderr.write(`${status.message}${tty ? '\r\n' : '\n'}`); // a terminal in raw mode returns no carriage itself
            code = status.exitCode;
          }
        }, head);
        socket.on('drain', () => stdio.stdin.resume());
        stdio.stdin.on('data', (d: Buffer) => {
          if (!socket.write(encodeFrame(Frame.stdin, d))) stdio.stdin.pause();
        });
        stdio.stdin.on('end', () => socket.write(encodeFrame(Frame.stdinEnd)));
        const unwatch = tty?.watch((size) => socket.write(encodeResize(size)));
        socket.on('close', () => {
          unwatch?.();
          resolve(code);
        });
        socket.on('error', () => resolve(code));
      });
      req.end();
    });
  }
}

export interface ExecOptions {
  container?: string | undefined;
  /** A terminal: its size now, and how to hear of a new one (returns what stops listening). */
  tty?: { size: WindowSize; watch: (onResize: (size: WindowSize) => void) => () => void } | undefined;
}

/** How long `minipod run` wants a ready container to have run: long enough for a command that
 * fails at start (`false`, a missing module) to have failed. */
export const SETTLE_MS = 500;

const completed = (c: ContainerStatus) => c.state === 'Terminated' && c.exitCode === 0;

/** A container that failed, with how; `restarts` holds the restart counts at creation. */
export function failedContainer(pod: PodRecord, restarts?: Map<string, number>): { name: string; how: string } | undefined {
  const willRestart = pod.manifest.spec.restartPolicy !== 'Never';
  const status = (t: { signal: string | null; exitCode: number | null; reason: string | null }) => (t.reason === 'OOMKilled' ? `OOMKilled: over its memory limit, code ${t.exitCode}` : t.signal ?? `code ${t.exitCode}`);
  const init = initFailed(pod);
  if (init) return { name: init.name, how: `exited (${status(init)}): it is an init container and restartPolicy is Never, the containers never start` };
  const looping = initsOf(pod).find((c) => c.reason === 'CrashLoopBackOff' || c.reason === 'ErrImageNeverPull');
  if (looping) return { name: looping.name, how: `is an init container that ${looping.reason === 'CrashLoopBackOff' ? `keeps failing (last exit ${looping.lastState ? status(looping.lastState) : 'unknown'})` : 'waits for its image (ErrImageNeverPull)'}: the containers start once it completes` };
  for (const c of pod.containers) {
    if (c.state === 'Terminated' && !completed(c) && !willRestart) return { name: c.name, how: `exited (${status(c)})` };
    if (c.reason === 'ErrImageNeverPull') return { name: c.name, how: `waits for its image (ErrImageNeverPull): ${c.message ?? 'import it with `minipod image import FILE`'}` };
    if (c.reason === 'CreateContainerConfigError') return { name: c.name, how: `cannot be created (CreateContainerConfigError): ${c.message ?? 'see minipod describe'}` };
    if (c.reason === 'CrashLoopBackOff') return { name: c.name, how: `is crash-looping (last exit ${c.lastState ? status(c.lastState) : 'unknown'})` };
    const restarted = restarts ? c.restartCount - (restarts.get(c.name) ?? 0) : 0;
    if (restarted > 0 && (c.lastState?.reason === 'Error' || c.lastState?.reason === 'OOMKilled')) return { name: c.name, how: `exited (${status(c.lastState)}) and was restarted (${restarted} time${restarted > 1 ? 's' : ''} since it was created)` };
  }
  return undefined;
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

