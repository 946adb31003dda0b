// getOnce: one GET over node:net, read as the daemon's node:http server answers it. Checked
// against a real node:http server on a unix socket, and bodyOf on answers it never sends.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { bodyOf, getOnce, requestOnce } from '../../../lib/api/get-once.js';
import { MinipodError } from '../../../lib/errors.js';

/** A node:http server on a fresh unix socket, answering as handle says; its socket path. */
async function serve(t: ExecutionContext, handle: http.RequestListener): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-get-once-'));
  const socket = path.join(dir, 'api.sock');
  const server = http.createServer(handle).listen(socket);
  await once(server, 'listening');
  t.teardown(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });
  return socket;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
};

test('a 2xx answer is its parsed body; the path gets /v1 and ?namespace= as ApiClient gives them', async (t) => {
  const asked: string[] = [];
  const socket = await serve(t, (req, res) => {
    asked.push(req.url!);
    json(res, 200, { pods: [{ name: 'ü'.repeat(40_000) }] }); // more than one read, and multi-byte text
  });
  const list = await getOnce<{ pods: { name: string }[] }>(socket, '/pods?labelSelector=app%3Dweb', { namespace: 'team-a' });
  t.is(list.pods[0]!.name, 'ü'.repeat(40_000));
  t.deepEqual(asked, ['/v1/pods?labelSelector=app%3Dweb&namespace=team-a']);
  await getOnce(socket, '/stats', { namespace: 'team-a' });
  t.is(asked[1], '/v1/stats', 'a path that is not namespaced is sent as it is');
});

test("a non-2xx answer throws the error it carries, with the daemon's code and message", async (t) => {
  const socket = await serve(t, (_req, res) => json(res, 404, { error: { code: 'NOT_FOUND', message: 'pod web not found' } }));
  const err = await t.throwsAsync(getOnce(socket, '/pods/web'), { instanceOf: MinipodError });
  t.is(err!.code, 'NOT_FOUND');
  t.is(err!.message, 'pod web not found');
});

test("requestOnce: a POST's JSON body reaches the server whole; an empty answer is undefined", async (t) => {
  const got: { method?: string; type?: string; body: string }[] = [];
  const socket = await serve(t, (req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
      got.push({ method: req.method, type: req.headers['content-type'], body });
      if (req.url === '/v1/shutdown') json(res, 200, { handoff: { ok: true } });
      else res.writeHead(204).end();
    });
  });
  t.deepEqual(await requestOnce(socket, '/shutdown', { method: 'POST', body: { stopPods: false, name: 'ü' } }), { handoff: { ok: true } });
  t.deepEqual(got[0], { method: 'POST', type: 'application/json', body: '{"stopPods":false,"name":"ü"}' });
  t.is(await requestOnce(socket, '/pods/web', { method: 'DELETE' }), undefined);
});

test('requestOnce: a daemon silent for timeoutMs is UNAVAILABLE, saying what it did not answer', async (t) => {
  const socket = await serve(t, () => {}); // never answers
  const err = await t.throwsAsync(requestOnce(socket, '/shutdown', { method: 'POST', body: {}, timeoutMs: 100 }), { instanceOf: MinipodError });
  t.is(err!.code, 'UNAVAILABLE');
  t.regex(err!.message, /did not answer POST \/shutdown within 0\.1s/);
});

test('no daemon at the socket: the same error ApiClient gives, naming how to start one', async (t) => {
  const err = await t.throwsAsync(getOnce('/nonexistent/minipod.sock', '/pods'), { instanceOf: MinipodError });
  t.is(err!.code, 'UNAVAILABLE');
  t.regex(err!.message, /minipod daemon is not running at \/nonexistent\/minipod\.sock: start it with `sudo minipod daemon`/);
});

test('bodyOf: what is not a whole HTTP answer with a Content-Length is an error that says so', (t) => {
  const answer = (text: string) => Buffer.from(text, 'latin1');
  t.is(bodyOf(answer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}')), '{}');
  t.is(bodyOf(answer('HTTP/1.1 204 No Content\r\n\r\n')), '', 'no length: the rest, up to the end of the connection');
  t.throws(() => bodyOf(answer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}')), { message: /cut short: 2 of 10 bytes/ });
  t.throws(() => bodyOf(answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n')), { message: /chunked transfer coding, which this client does not read/ });
  t.throws(() => bodyOf(answer('SSH-2.0-OpenSSH\r\n')), { message: /not HTTP: "SSH-2\.0-OpenSSH/ });
  t.throws(() => bodyOf(answer('')), { message: /not HTTP: ""/ });
  t.throws(() => bodyOf(answer('HTTP/1.1 200 OK\r\nContent-Le')), { message: /cut short in its headers/ });
  const err = t.throws(() => bodyOf(answer('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!')), { instanceOf: MinipodError });
  t.regex(err!.message, /daemon answered 500: oops!/);
});
