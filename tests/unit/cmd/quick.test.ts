// parseQuick: the command lines bin/minipod.js answers without yargs (cmd/quick.ts). What it takes
// must mean what yargs would make of it; anything else is declined (undefined) and goes to the full
// CLI. tests/integration/quick.test.ts runs both CLIs on the same lines and compares what they print.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { parseQuick } from '../../../cmd/quick.js';
import { TABLE_ACCEPT } from '../../../lib/pod/table.js';
import { ROOT } from '../../helpers/node.js';
import { validRecord } from '../../helpers/record.js';

const base = { json: false, allNamespaces: false };

test('ps and get pods|pod|po, with the flags a listing takes in their spellings, are taken', (t) => {
  t.deepEqual(parseQuick(['ps']), base);
  for (const kind of ['pods', 'pod', 'po']) t.deepEqual(parseQuick(['get', kind]), base);
  t.deepEqual(parseQuick(['ps', '-A']), { ...base, allNamespaces: true });
  t.deepEqual(parseQuick(['ps', '--all-namespaces', '--json']), { json: true, allNamespaces: true });
  t.deepEqual(parseQuick(['-n', 'team-a', 'ps']), { ...base, namespace: 'team-a' }, 'a global flag before the verb');
  t.deepEqual(parseQuick(['ps', '--namespace=team-a']), { ...base, namespace: 'team-a' });
  t.deepEqual(parseQuick(['ps', '-owide']), { ...base, output: 'wide' }, "kubectl's glued -oVALUE");
  t.deepEqual(parseQuick(['get', 'po', '-o', 'jsonpath={.items[*].metadata.name}']), { ...base, output: 'jsonpath={.items[*].metadata.name}' });
  t.deepEqual(parseQuick(['ps', '--output=yaml', '-l', 'app in (a,b)']), { ...base, output: 'yaml', selector: 'app in (a,b)' });
  t.deepEqual(parseQuick(['ps', '--selector', '!app', '--socket', '/tmp/x.sock']), { ...base, selector: '!app', socket: '/tmp/x.sock' });
  t.deepEqual(parseQuick(['ps', '--no-headers']), { ...base, headers: false }, "kubectl's --no-headers, as yargs negates --headers");
  t.deepEqual(parseQuick(['get', 'pods', '--headers', '-A']), { ...base, headers: true, allNamespaces: true });
});

test('a bad value is taken as it is: the verb itself refuses it, with the message the full CLI gives', (t) => {
  t.deepEqual(parseQuick(['ps', '-o', 'bogus']), { ...base, output: 'bogus' });
  t.deepEqual(parseQuick(['ps', '-n', 'Bad_NS']), { ...base, namespace: 'Bad_NS' });
});

test('a line whose meaning is not certain goes to the full CLI', (t) => {
  const declined = [
    [], ['--help'], ['ps', '--help'], ['ps', '-h'], ['--version', 'ps'], ['rm', 'ps'], ['get'], ['get', 'deployments'], ['get', 'pods', 'web'], ['get', 'pod/web'],
    ['ps', 'extra'], ['ps', 'get'], ['ps', '--'], ['ps', '--', '-A'],
    ['ps', '-n'], ['ps', '-n', '-A'], ['ps', '-n', ''], ['ps', '--namespace='], ['ps', '-o=wide'], ['ps', '-nteam-a'],
    ['ps', '-A', '-A'], ['ps', '-n', 'a', '--namespace', 'b'], ['ps', '-o', 'wide', '-owide'],
    ['ps', '--json=true'], ['ps', '--json', 'true'], ['ps', '-A', 'false'], ['ps', '--no-json'], ['ps', '--allNamespaces'], ['ps', '-Ao', 'wide'],
    ['-A', 'ps'], ['--json', 'ps'], ['-A', 'get', 'pods'], ['--all-namespaces', 'ps'], // before the verb yargs takes the verb for their value
    ['ps', '--no-headers', '--headers'], ['--no-headers', 'ps'], ['ps', '--no-headers=true'],
    ['ps', '--node', 'node-1'], ['ps', '--cluster-dir', '/tmp'], ['ps', '--get-yargs-completions'], ['ps', '-'],
  ];
  for (const args of declined) t.is(parseQuick(args), undefined, JSON.stringify(args));
});

test('a daemon older than the Table (it answers the records whatever is asked) is listed as before', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-old-daemon-'));
  const socket = path.join(dir, 'api.sock');
  const accepts: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    accepts.push(req.headers.accept);
    const text = JSON.stringify({ pods: [validRecord('/tmp/state')] });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
  server.listen(socket);
  await once(server, 'listening');
  t.teardown(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const cli = (...args: string[]) => execa(process.execPath, [path.join(ROOT, 'bin/minipod.js'), ...args], { env: { MINIPOD_SOCKET: socket }, reject: false });
  const table = await cli('ps');
  t.is(table.exitCode, 0, table.stderr);
  t.regex(table.stdout, /^NAME +READY +STATUS +RESTARTS +AGE +IP\nweb +1\/1 +Running +0 +\S+ +10\.88\.0\.2$/);
  t.regex((await cli('get', 'pods', '-o', 'wide')).stdout, /^NAME .* VETH\nweb .* net:\[\d+\] /);
  t.true(accepts.every((a) => a === TABLE_ACCEPT), 'a Table was asked for');
});
