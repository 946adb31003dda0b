// Bad input gets one clear line, exit code 1 or 2, and changes nothing (acceptance 7).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ApiClient } from '../../lib/api/client.js';
import { MinipodError } from '../../lib/errors.js';
import { CLI, SEED, snapshot, startTestNode, type TestNode } from '../helpers/node.js';
import { importSeedImages } from '../helpers/seed.js';
import { execa } from 'execa';

let node: TestNode;
let small: TestNode;

test.before(async () => {
  [node, small] = await Promise.all([startTestNode(), startTestNode({ subnet: '10.99.0.0/30' })]);
  await importSeedImages(node);
  const r = await node.cli(['run', '-f', SEED]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
});
test.after.always(async () => {
  await Promise.all([node?.dispose(), small?.dispose()]);
});

let files: string;
test.before(async () => {
  files = await mkdtemp(path.join(os.tmpdir(), 'minipod-errors-'));
});
test.after.always(() => rm(files, { recursive: true, force: true }));

async function manifestFile(name: string, text: string): Promise<string> {
  const file = path.join(files, name);
  await writeFile(file, text);
  return file;
}

/** Run the CLI and check: exit code, one line on stderr matching `message`, node unchanged. */
async function rejects(t: import('ava').ExecutionContext, args: string[], code: number, message: RegExp, target = node) {
  const before = await snapshot(target);
  const r = await target.cli(args);
  t.is(r.exitCode, code, `exit code for ${args.join(' ')}: ${r.stderr}`);
  t.regex(r.stderr, message);
  t.is(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(see')).length, 1, `one line: ${r.stderr}`);
  t.is(r.stdout, '');
  t.deepEqual(await snapshot(target), before, 'nothing changed');
}

test('scale names a bad --replicas as given; a bare -f is a usage error', async (t) => {
  await rejects(t, ['scale', 'deployment/web', '--replicas=abc'], 2, /^minipod: --replicas "abc": give a whole number from 0 to 100$/m);
  await rejects(t, ['scale', 'deployment', 'nosuch', '--replicas=2'], 1, /^minipod: deployment nosuch not found/m); // kubectl's TYPE NAME
  await rejects(t, ['apply', '-f'], 2, /^minipod: -f needs a file, or - for stdin/m);
});

test('malformed YAML names the file', async (t) => {
  const file = await manifestFile('bad.yaml', 'metadata: {name: x\nspec: [');
  await rejects(t, ['run', '-f', file], 1, /bad\.yaml: not valid YAML or JSON/);
});

test('an invalid manifest names every bad field', async (t) => {
  const file = await manifestFile('invalid.yaml', ['metadata:', '  name: Web_1', 'spec:', '  restartPolicy: Sometimes', '  containers:', '    - name: a', '      command: "node a.js"', '      stdinOnce: true', '    - name: a', '      command: [x]'].join('\n'));
  const r = await node.cli(['run', '-f', file]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /metadata\.name: must be a DNS-1123 label/);
  t.regex(r.stderr, /spec\.restartPolicy: /);
  t.regex(r.stderr, /spec\.containers\[0\]\.command: must be a list such as \["node", "app\.js"\], not a single \(shell\) string/);
  t.regex(r.stderr, /spec\.containers\[0\]\.stdinOnce: true is not supported: minipod does not attach to a container.s stdin/);
});

test('duplicate container names and ports are named', async (t) => {
  const file = await manifestFile('dup.yaml', ['metadata: {name: dup}', 'spec:', '  containers:', '    - {name: a, command: [x], ports: [{containerPort: 80}]}', '    - {name: a, command: [y], ports: [{containerPort: 80}]}'].join('\n'));
  const r = await node.cli(['run', '-f', file]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /spec\.containers\[1\]\.name: duplicate "a"/);
  t.regex(r.stderr, /spec\.containers\[1\]\.ports\[0\]\.containerPort: TCP\/80 is already declared by container "a"/);
});

test('a manifest that is not an object is rejected', async (t) => {
  const file = await manifestFile('list.yaml', '- a\n- b\n');
  await rejects(t, ['run', '-f', file], 1, /expected a Pod or Deployment object/);
});

test('a missing manifest file is a clear error', async (t) => {
  await rejects(t, ['run', '-f', '/nonexistent/pod.yaml'], 1, /cannot read \/nonexistent\/pod\.yaml/);
});

test('a duplicate pod name is refused', async (t) => {
  await rejects(t, ['run', '-f', SEED], 1, /pod web already exists/);
});

test('a container command that does not exist leaves nothing half-made', async (t) => {
  await rejects(t, ['run', 'half', '-c', 'ok=sleep 100', '-c', 'bad=no-such-binary-xyz'], 1, /spec\.containers\[1\]\.command: executable "no-such-binary-xyz" not found/);
  t.is((await node.cli(['inspect', 'half'])).exitCode, 1);
});

test('an unknown pod is NOT_FOUND for every verb', async (t) => {
  for (const args of [['inspect', 'ghost'], ['stop', 'ghost'], ['rm', 'ghost'], ['rm', '-f', 'ghost'], ['logs', 'ghost'], ['exec', 'ghost', '--', 'true']]) {
    await rejects(t, args, 1, /pod ghost not found/);
  }
});

test('an unknown container in logs is named', async (t) => {
  await rejects(t, ['logs', 'web', '-c', 'nope'], 1, /container nope not found in pod web \(it has httpd, bootcamp\)/);
});

test('usage errors exit 2', async (t) => {
  await rejects(t, ['frobnicate'], 2, /Unknown argument: frobnicate/);
  await rejects(t, ['run'], 2, /give -f FILE, or NAME and at least one --container/);
  await rejects(t, ['run', 'x', '-c', 'novalue'], 2, /--container novalue: expected NAME=COMMAND/);
  await rejects(t, ['exec', 'web'], 2, /exec needs a command/);
});

test('an exhausted subnet says so and what to do', async (t) => {
  const first = await small.cli(['run', 'one', '-c', 'a=sleep 1000']);
  t.is(first.exitCode, 0, first.stderr);
  t.regex(first.stdout, /10\.99\.0\.2/);
  await rejects(t, ['run', 'two', '-c', 'a=sleep 1000'], 1, /subnet 10\.99\.0\.0\/30 is exhausted: .* larger --subnet/, small);
  t.is((await small.cli(['rm', '-f', 'one'])).exitCode, 0);
  const again = await small.cli(['run', 'two', '-c', 'a=sleep 1000']);
  t.is(again.exitCode, 0, 'the released address is handed out again');
  t.is((await small.cli(['rm', '-f', 'two'])).exitCode, 0);
});

test('a daemon that is not running: "start it with …"', async (t) => {
  const r = await execa(process.execPath, [CLI, 'ps'], { env: { MINIPOD_SOCKET: '/nonexistent/minipod.sock' }, reject: false });
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /^minipod: minipod daemon is not running at \/nonexistent\/minipod\.sock: start it with `sudo minipod daemon`/);
});

test('the API rejects malformed requests with a 4xx and a message', async (t) => {
  const api = new ApiClient(node.socket);
  const cases: [string, string, unknown, RegExp][] = [
    ['POST', '/pods', { metadata: { name: 'x' } }, /spec: is required/],
    ['POST', '/pods', { metadata: { name: '../etc' }, spec: { containers: [{ name: 'a', command: ['true'] }] } }, /metadata\.name: must be a DNS-1123 label/],
    ['POST', '/pods', { metadata: { name: 'x' }, spec: { containers: [{ name: 'a', command: 'sleep 1' }] } }, /spec\.containers\[0\]\.command: /],
    ['GET', '/pods/..%2Fetc', undefined, /not a DNS-1123 label/],
    ['PUT', '/pods', undefined, /method PUT not allowed/],
    ['GET', '/nope', undefined, /no such endpoint/],
    ['POST', '/shutdown', { stopPods: 'yes' }, /expected \{"stopPods": true\|false\}/],
    ['POST', '/shutdown', { stopPods: true, now: 1 }, /expected \{"stopPods": true\|false\}/],
    ['GET', '/shutdown', undefined, /method GET not allowed/],
  ];
  const before = await snapshot(node);
  for (const [method, url, body, message] of cases) {
    const err = await t.throwsAsync(api.request(method, url, body), { instanceOf: MinipodError });
    t.regex(err!.message, message);
  }
  const raw = await fetchRaw(node.socket, 'POST', '/v1/pods', '{not json');
  t.is(raw.status, 400);
  t.regex(raw.body, /request body is not valid JSON/);
  const big = await fetchRaw(node.socket, 'POST', '/v1/pods', `"${'x'.repeat(2 * 1024 * 1024)}"`);
  t.true(big.status === 400 || big.status === 413 || big.status === 0, `oversized body: ${big.status}`);
  t.deepEqual(await snapshot(node), before);
  t.is((await node.cli(['ps'])).exitCode, 0, 'the daemon is still healthy');
});

test('a NUL in an env value, an over-long argument and a missing workingDir are named before anything is made', async (t) => {
  const long = await manifestFile('long.yaml', ['metadata: {name: long}', 'spec:', '  containers:', `    - {name: a, command: [sleep], args: ["1", "2", "${'x'.repeat(131072)}"]}`].join('\n'));
  await rejects(t, ['run', '-f', long], 1, /spec\.containers\[0\]\.args\[2\]: is 131072 bytes: the kernel takes at most 131071 per argument \(MAX_ARG_STRLEN\)/);
  const nowhere = await manifestFile('nowhere.yaml', ['metadata: {name: nowhere}', 'spec:', '  containers:', '    - {name: a, command: [sleep, "100"]}', '    - {name: b, command: [sleep, "100"], workingDir: /nonexistent/minipod-dir}'].join('\n'));
  await rejects(t, ['run', '-f', nowhere], 1, /spec\.containers\[1\]\.workingDir: directory "\/nonexistent\/minipod-dir" does not exist/);
  const before = await snapshot(node);
  const nul = { metadata: { name: 'nul' }, spec: { containers: [{ name: 'a', command: ['sleep', '100'], env: [{ name: 'X', value: 'a\0b' }] }] } };
  const err = await t.throwsAsync(node.api.request('POST', '/pods', nul), { instanceOf: MinipodError });
  t.regex(err!.message, /spec\.containers\[0\]\.env\[0\]\.value: must not contain NUL/);
  const file = await t.throwsAsync(node.api.request('POST', '/pods', { ...nul, spec: { containers: [{ name: 'a', command: ['sleep', '100'], workingDir: '/etc/hostname' }] } }), { instanceOf: MinipodError });
  t.regex(file!.message, /spec\.containers\[0\]\.workingDir: "\/etc\/hostname" is not a directory/);
  t.deepEqual(await snapshot(node), before);
});

test('a request Node cannot parse (unknown method, garbage, huge headers) gets a JSON error body', async (t) => {
  for (const raw of ['FOO /v1/pods HTTP/1.1\r\nHost: x\r\n\r\n', 'GARBAGE\r\n\r\n']) {
    const answer = await rawExchange(node.socket, raw);
    const [head, body] = answer.split('\r\n\r\n');
    t.regex(head!, /^HTTP\/1\.1 400 Bad Request\r\n/);
    t.regex(head!, /Content-Type: application\/json/);
    t.like(JSON.parse(body!), { error: { code: 'INVALID_ARGUMENT' } });
    t.regex(body!, /malformed HTTP request: unknown HTTP method/);
  }
  const [head, body] = (await rawExchange(node.socket, `GET /v1/pods HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`)).split('\r\n\r\n');
  t.regex(head!, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  t.regex(JSON.parse(body!).error.message, /^malformed HTTP request: /);
  t.is((await node.cli(['ps'])).exitCode, 0, 'the daemon is still healthy');
});

test('exec with a NUL in its argv is refused before the connection is upgraded', async (t) => {
  const before = await snapshot(node);
  const answer = await rawExchange(node.socket, 'POST /v1/pods/web/exec?argv=echo&argv=a%00b HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: minipod-exec\r\n\r\n');
  const [head, body] = answer.split('\r\n\r\n');
  t.regex(head!, /^HTTP\/1\.1 400 /);
  t.deepEqual(JSON.parse(body!), { error: { code: 'INVALID_ARGUMENT', message: 'argv[1]: must not contain NUL (the kernel ends an argument at the first NUL)' } });
  t.deepEqual(await snapshot(node), before);
});

/** Raw bytes to the socket; resolves with everything the daemon sends back before it closes. */
async function rawExchange(socketPath: string, raw: string): Promise<string> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(raw.slice(0, 40))}`)));
    socket.write(raw);
  });
}

async function fetchRaw(socketPath: string, method: string, url: string, body: string): Promise<{ status: number; body: string }> {
  const http = await import('node:http');
  return new Promise((resolve) => {
    const req = http.request({ socketPath, method, path: url, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}
