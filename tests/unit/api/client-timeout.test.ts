// ApiClient's per-request timeout: a daemon that accepts the connection and never answers (stopped,
// wedged) fails the request with UNAVAILABLE instead of hanging the node command.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ApiClient } from '../../../lib/api/client.js';
import { MinipodError } from '../../../lib/errors.js';

test('a request with timeoutMs to a silent server fails with UNAVAILABLE naming the request', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-client-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s)); // accepts, never answers
  server.listen(path.join(dir, 'api.sock'));
  await once(server, 'listening');
  t.teardown(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  const err = await t.throwsAsync(new ApiClient(path.join(dir, 'api.sock')).request('GET', '/health', undefined, { timeoutMs: 200 }), { instanceOf: MinipodError });
  t.is(err!.code, 'UNAVAILABLE');
  t.regex(err!.message, /did not answer GET \/health within 0\.2s/);
});
