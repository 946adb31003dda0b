// What a shutdown waits for (ApiServer.answered): every request taken before it began, until its
// answer is sent (a stop under way, a `logs` of a large file), but never an answer without an end
// of its own (`events -f`, `logs -f`, port-forward), begun or not: closing the connections ends those.
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type { ApiDeps } from '../../../lib/api/routes.js';
import { createApiServer } from '../../../lib/api/server.js';
import { EventLog } from '../../../lib/supervisor/events.js';

/** A request's status, once its headers come. */
function ask(socketPath: string, method: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: url, agent: false }, (res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    req.on('error', reject);
    req.end();
  });
}

test('a stop under way is waited for until its answer is sent; an events -f is not', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-answered-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  let release!: () => void;
  const stopping = new Promise<void>((resolve) => (release = resolve));
  let stopAsked = false;
  const pods = { stop: async () => ((stopAsked = true), await stopping, { name: 'web' }) };
  const server = createApiServer({ pods, events: new EventLog() } as unknown as ApiDeps);
  const socket = path.join(dir, 'api.sock');
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.teardown(() => server.closeAllConnections());

  const watch = ask(socket, 'GET', '/v1/events?follow=true');
  t.is(await watch, 200, 'the watch has begun');
  const stop = ask(socket, 'POST', '/v1/pods/web/stop');
  while (!stopAsked) await new Promise((r) => setTimeout(r, 5));
  server.stopTaking();
  let answered = false;
  const done = server.answered(60_000).then(() => (answered = true));
  await new Promise((r) => setTimeout(r, 200));
  t.false(answered, 'the stop has not answered yet');
  release();
  t.is(await stop, 200);
  await done;
  t.true(answered, 'done once the stop is answered, though the watch is still open');
});

test('a logs without -f whose answer has begun but not ended (a large file, a slow client) is waited for', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-answered-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'c.log');
  await writeFile(log, `${'z'.repeat(1023)}\n`.repeat(8 * 1024)); // 8 MiB: more than the sockets hold
  const pods = { get: () => ({ name: 'web', uid: 'u', containers: [{ name: 'c', logPath: log }] }) };
  const server = createApiServer({ pods, events: new EventLog() } as unknown as ApiDeps);
  const socket = path.join(dir, 'api.sock');
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.teardown(() => server.closeAllConnections());
  const res = await new Promise<http.IncomingMessage>((resolve) => http.get({ socketPath: socket, path: '/v1/pods/web/logs', agent: false }, resolve));
  res.pause(); // a slow client: the answer has begun and cannot end
  server.stopTaking();
  let answered = false;
  const done = server.answered(60_000).then(() => (answered = true));
  await new Promise((r) => setTimeout(r, 300));
  t.false(answered, 'still being sent');
  let got = 0;
  res.on('data', (d: Buffer) => (got += d.length));
  res.resume();
  await done;
  await once(res, 'end');
  t.is(got, 8 * 1024 * 1024, 'sent whole');
});
