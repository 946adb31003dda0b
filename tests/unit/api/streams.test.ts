// Event watches over a real HTTP server on a unix socket (no root): a watcher that stops reading
// is cut off once 1 MiB is unsent, with a last line saying why; one that reads gets every event.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { streamEvents, WATCH_BUFFER_BYTES } from '../../../lib/api/streams.js';
import { EventLog, type PodEvent } from '../../../lib/supervisor/events.js';

const event = (i: number): PodEvent => ({ time: new Date().toISOString(), pod: 'web', podUid: 'u', type: 'Normal', reason: 'Test', message: `${i} ${'x'.repeat(10_000)}` });

/** A raw watcher: sends the request, resolves once the answer starts; reading is up to the caller. */
async function watcher(socketPath: string): Promise<net.Socket> {
  const socket = net.connect(socketPath);
  socket.write('GET /?follow=true HTTP/1.1\r\nHost: x\r\n\r\n');
  await once(socket, 'readable');
  return socket;
}

/** Everything the socket gives until it closes, as text lines (the HTTP head and chunk sizes included). */
async function rest(socket: net.Socket): Promise<string[]> {
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.resume();
  await once(socket, 'close');
  return text.split('\r\n').flatMap((l) => l.split('\n'));
}

test('a stalled event watcher is cut off with a last line; a reading one gets every event', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-streams-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const events = new EventLog();
  const server = http.createServer((req, res) => void streamEvents(events, new URL(req.url!, 'http://x').searchParams, res));
  server.listen(path.join(dir, 'api.sock'));
  await once(server, 'listening');
  t.teardown(() => server.close());
  const sock = path.join(dir, 'api.sock');

  const stalled = await watcher(sock);
  stalled.pause();
  const reader = await watcher(sock);
  const readerLines = rest(reader);
  const total = 400; // 4 MB of events, four times what a watcher may leave unsent
  for (let i = 0; i < total; i += 10) {
    for (let j = i; j < i + 10; j++) events.emit('event', event(j));
    await sleep(5); // room for the reading watcher to read
  }
  t.is(events.listenerCount('event'), 1, 'the stalled watcher is unsubscribed');
  const got = (await rest(stalled)).filter((l) => l.startsWith('{'));
  const last = JSON.parse(got.at(-1)!) as { error: { code: string; message: string } };
  t.is(last.error.code, 'UNAVAILABLE');
  t.regex(last.error.message, /watch closed: this client read too slowly \(more than 1048576 bytes of events unsent\)/);
  t.true(got.length - 1 < total && (got.length - 1) * 10_000 < 2 * WATCH_BUFFER_BYTES + 1_000_000, `the stalled watcher got ${got.length - 1} events`);

  reader.end();
  const seen = (await readerLines).filter((l) => l.startsWith('{')).map((l) => Number((JSON.parse(l) as PodEvent).message.split(' ')[0]));
  t.deepEqual(seen, Array.from({ length: total }, (_, i) => i));
});
