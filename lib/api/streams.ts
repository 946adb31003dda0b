// The daemon's long-lived answers: exec relays and event watches (logs: log-follow.ts). Each
// pipes with backpressure instead of buffering, so a client that stops reading costs the daemon a
// small fixed buffer (a stalled `minipod logs POD | sleep 12` on a 3 GB log once took it to 3 GiB).
import type { ServerResponse } from 'node:http';
import { constants } from 'node:os';
import type { Duplex, Writable } from 'node:stream';
import type { Proc } from '../os/host.js';
import type { StartedExec } from '../runtime/types.js';
import { signalGroup } from '../process/stop.js';
import type { EventLog, PodEvent } from '../supervisor/events.js';
import { decodeResize, encodeFrame, encodeResize, Frame, readFrames } from './frames.js';
import { namespaceOf } from './scope.js';
import { DEFAULT_NAMESPACE } from '../manifest/names.js';

/** What an event watcher may leave unsent before it is cut off, as the Kubernetes API server drops slow watchers. */
export const WATCH_BUFFER_BYTES = 1024 * 1024;
/** How long a cut-off watcher gets to read its last line before its connection is closed. */
const CUT_OFF_GRACE_MS = 10_000;
/** How often an exec whose input is paused checks that its client is still there. */
const PROBE_MS = 1000;

/** Write a chunk, then wait while the peer's buffer is full. False once the peer has gone. */
export function writeWithBackpressure(out: Writable, chunk: Buffer | string): Promise<boolean> {
  if (out.destroyed || out.writableEnded) return Promise.resolve(false);
  if (out.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (ok: boolean) => () => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      resolve(ok);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}

/**
 * Relay an exec's stdio as frames; the last frame is the exit status. Both directions are paced by
 * the slower side: the command's output is paused while the client's socket is full, the client's
 * socket while the command's stdin is full. On a terminal (tty), the command is rootfs/ptyrelay,
 * which reads frames itself: input and (checked) window sizes are passed on as frames.
 */
export function relayExec(proc: Proc, socket: Duplex, head: Buffer, { tty, signalCommand, endedBecause, exitCode: reported }: { tty: boolean } & Pick<StartedExec, 'signalCommand' | 'endedBecause' | 'exitCode'> = { tty: false }): void {
  let exited = false;
  // The command (itself first, where it is out of its runtime's group) and what it started (its
  // group outlives it while a member does: a `cmd &` it left).
  const killAll = () => void (signalCommand?.('SIGKILL') ?? Promise.resolve()).catch(() => {}).then(() => signalGroup(proc.pid!, 'SIGKILL'));
  const outputs = [proc.stdout!, proc.stderr!];
  const forward = (type: typeof Frame.stdout | typeof Frame.stderr) => (d: Buffer) => {
    if (socket.destroyed) return; // the client left: drain the pipes into nothing until the command dies
    if (!socket.write(encodeFrame(type, d))) for (const s of outputs) s.pause();
  };
  proc.stdout!.on('data', forward(Frame.stdout));
  proc.stderr!.on('data', forward(Frame.stderr));
  socket.on('drain', () => outputs.forEach((s) => s.resume()));
  // A paused socket reads nothing, so it would not see the client leave: while it is paused, an
  // empty stdout frame (a no-op for any client) goes out every second and fails once the client is gone.
  let probe: NodeJS.Timeout | undefined;
  const pauseInput = () => {
    socket.pause();
    probe ??= setInterval(() => socket.writableLength === 0 && socket.write(encodeFrame(Frame.stdout)), PROBE_MS);
  };
  const resumeInput = () => {
    clearInterval(probe);
    probe = undefined;
    socket.resume();
  };
  proc.stdin!.on('error', () => {}); // the command may exit without reading its input
  proc.stdin!.on('drain', resumeInput);
  const input = (chunk: Buffer) => {
    // Input for a command that has exited or closed its stdin is dropped, never held.
    if (!exited && proc.stdin!.writable && !proc.stdin!.write(chunk)) pauseInput();
  };
  readFrames(socket, (type, data) => {
    if (type === Frame.stdin) input(tty ? encodeFrame(Frame.stdin, data) : data);
    else if (type === Frame.resize && tty) {
      const size = decodeResize(data);
      if (size) input(encodeResize(size));
    } else if (type === Frame.stdinEnd && !tty) proc.stdin!.end(); // a terminal stays open: Ctrl-D is input
  }, head);
  if (socket.destroyed) killAll(); // the client left while the command started
  // The client closed its side (HTTP sockets stay half-open): its input has ended, and it may be
  // gone altogether, which only a write tells (EPIPE, then 'close'), so an empty frame goes out
  // every second. Without it a silent command (a shell waiting for keys) would outlive its client.
  socket.on('end', () => {
    if (!tty && proc.stdin!.writable) proc.stdin!.end();
    const check = setInterval(() => socket.writableLength === 0 && socket.write(encodeFrame(Frame.stdout)), PROBE_MS);
    socket.once('close', () => clearInterval(check));
  });
  socket.on('close', () => {
    clearInterval(probe);
    killAll();
    outputs.forEach((s) => s.resume());
  });
  void proc.then(async (r) => {
    exited = true; // before the wait below: input that comes meanwhile is dropped
    const code = r.exitCode ?? (r.signal ? 128 + (constants.signals[r.signal as NodeJS.Signals] ?? 0) : 1);
    const exitCode = reported ? await reported(code) : code;
    const message = r.exitCode === undefined && !r.signal ? r.message : endedBecause?.();
    resumeInput(); // input still coming is dropped, so the client's end of the connection is read
    socket.end(encodeFrame(Frame.exit, JSON.stringify({ exitCode, signal: r.signal ?? null, message })));
  });
}

/**
 * Events as NDJSON, then (follow) new ones as they happen. The history is sent at the client's
 * pace; a watcher with more than WATCH_BUFFER_BYTES unsent is cut off with a last line saying why.
 */
export async function streamEvents(events: EventLog, query: URLSearchParams, res: ServerResponse): Promise<undefined> {
  const pod = query.get('pod') ?? undefined;
  // One namespace's events (default `default`), or with allNamespaces every one's, as kubectl.
  const namespace = ['true', '1'].includes(query.get('allNamespaces') ?? '') ? undefined : namespaceOf(query);
  const follow = query.get('follow') === 'true';
  // Connection: close, so a watch that is cut off ends for the client once its last line is read.
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', Connection: 'close' }).flushHeaders(); // a watch on no events is answered at once
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  let held: string[] | null = []; // live events that arrive while the history is being sent
  let heldBytes = 0;
  const cutOff = () => {
    events.off('event', onEvent);
    held = null;
    const message = `watch closed: this client read too slowly (more than ${WATCH_BUFFER_BYTES} bytes of events unsent); run \`minipod events -f\` again`;
    res.end(`${JSON.stringify({ error: { code: 'UNAVAILABLE', message } })}\n`);
    setTimeout(() => res.destroy(), CUT_OFF_GRACE_MS).unref();
  };
  const onEvent = (e: PodEvent) => {
    if ((pod && e.pod !== pod) || (namespace && (e.namespace ?? DEFAULT_NAMESPACE) !== namespace)) return;
    const line = `${JSON.stringify(e)}\n`;
    if (held) {
      held.push(line);
      heldBytes += line.length;
    } else res.write(line);
    if (heldBytes + res.writableLength > WATCH_BUFFER_BYTES) cutOff();
  };
  if (follow) events.on('event', onEvent);
  try {
    for (const e of events.list(pod, namespace)) {
      if (!(await writeWithBackpressure(res, `${JSON.stringify(e)}\n`))) return undefined;
    }
    if (!follow) {
      res.end();
      return undefined;
    }
    if (held) {
      const backlog = held;
      held = null;
      heldBytes = 0; // from now on only what the socket has not sent counts
      for (const line of backlog) res.write(line);
      if (res.writableLength > WATCH_BUFFER_BYTES) cutOff();
    }
    await closed;
  } finally {
    events.off('event', onEvent);
  }
  return undefined;
}
