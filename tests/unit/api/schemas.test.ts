// Request schemas: what each body and query must be, and the message a bad one gets (the same
// messages the API gave before the schemas, which tests and users rely on).
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { check, eventsQuery, execArgv, execQuery, failpointsBody, FAILPOINTS_USAGE, jsonObject, killBody, logsQuery, podCreateBody, queryOf, removeQuery, shutdownBody, SHUTDOWN_USAGE } from '../../../lib/api/schemas.js';

const refused = (t: import('ava').ExecutionContext, fn: () => unknown, message: RegExp | string) => {
  const err = t.throws(fn, { instanceOf: MinipodError });
  t.is(err!.code, 'INVALID_ARGUMENT');
  t.is(err!.status, 400);
  if (typeof message === 'string') t.is(err!.message, message);
  else t.regex(err!.message, message);
};

test('a body must be a JSON object', (t) => {
  t.deepEqual(jsonObject(Buffer.from('{"a":1}')), { a: 1 });
  refused(t, () => jsonObject(Buffer.from('{not json')), 'request body is not valid JSON');
  for (const text of ['[]', 'null', '"x"', '3']) refused(t, () => jsonObject(Buffer.from(text)), 'request body must be a JSON object');
});

test('pod create is the manifest schema, with its field paths', (t) => {
  refused(t, () => podCreateBody(Buffer.from('{"metadata":{"name":"x"}}')), /^invalid pod manifest: .*spec: is required/);
  const pod = podCreateBody(Buffer.from(JSON.stringify({ metadata: { name: 'x' }, spec: { containers: [{ name: 'a', command: ['true'] }] } })));
  t.is(pod.metadata.name, 'x');
});

test('kill: a known signal (KILL by default, SIG optional, any case) and exactly one target', (t) => {
  t.deepEqual(check(killBody, { sandbox: true }), { signal: 'SIGKILL', target: { sandbox: true } });
  t.deepEqual(check(killBody, { container: 'a', signal: 'term' }), { signal: 'SIGTERM', target: { container: 'a' } });
  t.deepEqual(check(killBody, { container: 'a', signal: 'SIGCONT' }), { signal: 'SIGCONT', target: { container: 'a' } });
  refused(t, () => check(killBody, { sandbox: true, signal: 'NOPE' }), 'unknown signal NOPE');
  refused(t, () => check(killBody, { signal: 9, sandbox: true }), 'unknown signal 9');
  const target = 'kill needs exactly one target: {"sandbox": true} or {"container": NAME}';
  refused(t, () => check(killBody, {}), target);
  refused(t, () => check(killBody, { sandbox: true, container: 'a' }), target);
  refused(t, () => check(killBody, { sandbox: 'yes' }), target);
  refused(t, () => check(killBody, { container: 3 }), target);
});

test('shutdown: nothing, or {"stopPods": boolean} and nothing else', (t) => {
  t.deepEqual(check(shutdownBody, {}, SHUTDOWN_USAGE), {});
  t.deepEqual(check(shutdownBody, { stopPods: true }, SHUTDOWN_USAGE), { stopPods: true });
  refused(t, () => check(shutdownBody, { stopPods: 'yes' }, SHUTDOWN_USAGE), 'expected {"stopPods": true|false}');
  refused(t, () => check(shutdownBody, { stopPods: true, now: 1 }, SHUTDOWN_USAGE), 'expected {"stopPods": true|false}');
});

test('failpoints: a list of names', (t) => {
  t.deepEqual(check(failpointsBody, { names: ['create/create-veth'] }, FAILPOINTS_USAGE), { names: ['create/create-veth'] });
  refused(t, () => check(failpointsBody, { names: [1] }, FAILPOINTS_USAGE), FAILPOINTS_USAGE);
  refused(t, () => check(failpointsBody, {}, FAILPOINTS_USAGE), FAILPOINTS_USAGE);
});

test('exec: at least one argument, none with a NUL', (t) => {
  t.deepEqual(check(execArgv, ['ls', '-l']), ['ls', '-l']);
  refused(t, () => check(execArgv, []), /^exec needs a command/);
  refused(t, () => check(execArgv, ['ls', 'a\0b']), 'argv[1]: must not contain NUL (the kernel ends an argument at the first NUL)');
});

test('exec options: a container, and a terminal only with its size (1-65535)', (t) => {
  const q = (s: string) => check(execQuery, queryOf(new URLSearchParams(s)));
  t.deepEqual(q(''), { container: undefined, tty: undefined });
  t.deepEqual(q('container=httpd&tty=true&rows=30&cols=100'), { container: 'httpd', tty: { rows: 30, cols: 100 } });
  t.deepEqual(q('rows=30&cols=100'), { container: undefined, tty: undefined }, 'a size without tty=true is no terminal');
  refused(t, () => q('tty=true'), /tty=true needs the terminal size: rows and cols/);
  refused(t, () => q('tty=true&rows=0&cols=80'), /rows must be 1-65535/);
  refused(t, () => q('tty=true&rows=24&cols=wide'), /cols/);
  refused(t, () => q('container='), /container must not be empty/);
});

test('queries: a flag is on only for the literal "true"; the first of repeated keys counts', (t) => {
  const q = (s: string) => queryOf(new URLSearchParams(s));
  const off = { previous: false, timestamps: false, prefix: false };
  t.deepEqual(check(logsQuery, q('container=a&container=b&follow=true')), { container: 'a', follow: true, ...off });
  t.deepEqual(check(logsQuery, q('follow=1')), { follow: false, ...off });
  t.deepEqual(check(eventsQuery, q('pod=web')), { pod: 'web', follow: false });
  t.deepEqual(check(removeQuery, q('force=maybe')), { force: false });
  t.deepEqual(check(removeQuery, q('force=true')), { force: true });
});

test('logs query: tail a whole number from -1, sinceTime RFC 3339 (as epoch ms), each refused naming the field', (t) => {
  const q = (s: string) => check(logsQuery, queryOf(new URLSearchParams(s)));
  t.like(q('tail=10&sinceTime=2024-05-01T10:00:00.5Z&previous=true&timestamps=true&prefix=true'), { tail: 10, sinceTime: Date.UTC(2024, 4, 1, 10, 0, 0, 500), previous: true, timestamps: true, prefix: true });
  t.like(q('tail=-1'), { tail: -1 });
  refused(t, () => q('tail=x'), /tail must be a whole number/);
  refused(t, () => q('tail=-2'), /tail must be a whole number/);
  refused(t, () => q('sinceTime=yesterday'), /sinceTime must be an RFC 3339 time/);
});

test('an error can carry a more precise HTTP status than its code', (t) => {
  t.is(new MinipodError('INVALID_ARGUMENT', 'x', { status: 405 }).status, 405);
  t.is(new MinipodError('INVALID_ARGUMENT', 'x').status, 400);
  t.is(new MinipodError('NOT_FOUND', 'x').status, 404);
});
