// The quick listings (cmd/quick.ts): `ps` and `get pods` lines that bin/minipod.js answers without
// yargs print exactly what the full CLI (dist/cli/minipod.js, yargs) prints for the same line, on
// stdout and stderr, with the same exit code: in every -o form, with -A, -n, -l and --socket, for a
// bad value, and with no daemon there. Lines the quick path declines still work (they go to yargs).
// The table forms are the daemon's rows (kubectl's Table), checked against the CLI's own.
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { parseQuick } from '../../cmd/quick.js';
import { getOnce } from '../../lib/api/get-once.js';
import { TABLE_ACCEPT, type PodTable } from '../../lib/pod/table.js';
import { assertNodeEmpty, CLI, ROOT, startTestNode, type TestNode } from '../helpers/node.js';

const FULL = path.join(ROOT, 'dist/cli/minipod.js');
let node: TestNode;

const pod = (name: string, namespace: string, app: string) => ({
  metadata: { name, namespace, labels: { app } },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] },
});

test.before(async () => {
  node = await startTestNode();
  await node.api.request('POST', '/pods', pod('web', 'default', 'web'));
  await node.api.request('POST', '/pods', pod('db', 'default', 'db'));
  await node.api.request('POST', '/pods', pod('api', 'team-a', 'web'));
});
test.after.always(async () => {
  await node?.dispose();
});

/**
 * One CLI's answer to a line; AGE cells (42s, 2m5s) as "AGE", the column's padding (and its
 * header's) as three spaces: a second may tick between the two runs, and 9s to 10s widens it.
 */
async function run(cli: string, args: string[]): Promise<string> {
  const r = await execa(process.execPath, [cli, ...args], { env: { MINIPOD_SOCKET: node.socket }, reject: false, stripFinalNewline: false });
  const age = (text: string) => text.replace(/(?<= {3})\d+[smhdy](\d+[smh])?(?= {3}|$)/gm, 'AGE').replace(/(?<= {3})AGE {3,}/gm, 'AGE   ');
  return `exit ${r.exitCode}\n--- stdout\n${age(String(r.stdout))}--- stderr\n${String(r.stderr)}`;
}

const taken = [
  ['ps'], ['get', 'pods'], ['get', 'pod'], ['get', 'po'],
  ['ps', '-A'], ['get', 'pods', '--all-namespaces'], ['ps', '-n', 'team-a'], ['-n', 'team-a', 'get', 'po'], ['ps', '--namespace=team-a'], ['ps', '-n', 'nobody'],
  ['ps', '-l', 'app=web'], ['ps', '-A', '--selector', 'app in (web,db)'], ['ps', '-l', 'app=none'], ['ps', '-A', '-l', 'app=none'],
  ['ps', '-o', 'wide'], ['ps', '-owide', '-A'], ['get', 'pods', '-o', 'name'], ['ps', '-o', 'json'], ['ps', '--output=yaml', '-n', 'team-a'],
  ['ps', '-o', 'jsonpath={.items[*].metadata.name}'], ['ps', '--json'], ['get', 'pods', '--json', '-A'],
  ['ps', '--no-headers'], ['get', 'pods', '-A', '--no-headers', '-o', 'wide'], ['ps', '--no-headers', '-l', 'app=none'], ['ps', '--no-headers', '-o', 'name'],
  // Refused by the verb itself: the same message and exit code 2 from either path.
  ['ps', '-o', 'bogus'], ['ps', '-o', 'jsonpath='], ['ps', '--json', '-o', 'wide'], ['ps', '-l', 'app=='], ['ps', '-n', 'Bad_NS'],
];

test.serial('every line the quick path takes prints what the full CLI prints', async (t) => {
  for (const args of taken) {
    t.truthy(parseQuick(args), `the quick path takes: ${args.join(' ')}`);
    t.is(await run(CLI, args), await run(FULL, args), `minipod ${args.join(' ')}`);
  }
  t.regex(await run(CLI, ['ps', '-A']), /^exit 0\n--- stdout\nNAMESPACE +NAME +READY +STATUS +RESTARTS +AGE +IP\ndefault +web +1\/1 +Running .*\ndefault +db .*\nteam-a +api /m);
});

test.serial("the daemon's Table (what ps prints) reads as the CLI's own rows from the records (get pod NAME…)", async (t) => {
  // ps asks for kubectl's Table (lib/pod/table.ts, made in the daemon); named pods are fetched as records and printed by the CLI.
  for (const wide of [[], ['-o', 'wide']]) t.is(await run(CLI, ['ps', ...wide]), await run(CLI, ['get', 'pods', 'web', 'db', ...wide]));
  const table = await getOnce<PodTable>(node.socket, '/pods?allNamespaces=true', { accept: TABLE_ACCEPT });
  t.is(table.kind, 'Table');
  t.deepEqual(table.rows.map((r) => [r.object.metadata.namespace, ...r.cells.slice(0, 3)]), [['default', 'web', '1/1', 'Running'], ['default', 'db', '1/1', 'Running'], ['team-a', 'api', '1/1', 'Running']]);
});

test.serial('no daemon at the socket: the same error, exit 1', async (t) => {
  for (const args of [['ps', '--socket', path.join(node.dir, 'nothing.sock')], ['get', 'pods']]) {
    const quick = await execa(process.execPath, [CLI, ...args], { env: { MINIPOD_SOCKET: '/nonexistent/minipod.sock' }, reject: false });
    const full = await execa(process.execPath, [FULL, ...args], { env: { MINIPOD_SOCKET: '/nonexistent/minipod.sock' }, reject: false });
    t.is(quick.exitCode, 1);
    t.regex(quick.stderr, /^minipod: minipod daemon is not running at \S+sock: start it with `sudo minipod daemon`/);
    t.deepEqual([quick.exitCode, quick.stdout, quick.stderr], [full.exitCode, full.stdout, full.stderr]);
  }
});

test.serial('lines the quick path declines go to yargs and work as before', async (t) => {
  for (const args of [['ps', '--help'], ['ps', 'extra'], ['ps', '-n'], ['get', 'pod', 'web'], ['get', 'pod/web', '-o', 'name'], ['ps', '-Ao', 'wide'], ['-A', 'ps'], ['--json', 'get', 'pods'], ['ps', '-l', 'app=web', '-l', 'app=db'], ['ps', '-o', 'wide', '-o', 'name']]) {
    t.is(parseQuick(args), undefined, args.join(' '));
    t.is(await run(CLI, args), await run(FULL, args), `minipod ${args.join(' ')}`);
  }
  t.regex(await run(CLI, ['get', 'pod/web', '-o', 'name']), /^exit 0\n--- stdout\npod\/web\n/);
  t.regex(await run(CLI, ['ps', 'extra']), /^exit 2\n/);
  t.regex(await run(CLI, ['ps', '-l', 'app=web', '-l', 'app=db']), /^exit 2\n[^]*-l is given more than once/);
  t.regex(await run(CLI, ['ps', '-o', 'wide', '-o', 'name']), /^exit 2\n[^]*-o is given more than once/);
});

test.serial('a reader that went away ends the listing quietly (exit 0), as cat', async (t) => {
  // stdout a pipe whose reader is gone before the CLI writes: the write fails with EPIPE.
  for (const args of [['ps', '-A'], ['get', 'pods', '-o', 'json']]) {
    const child = execa(process.execPath, [CLI, ...args], { env: { MINIPOD_SOCKET: node.socket }, reject: false });
    child.stdout!.destroy();
    const r = await child;
    t.is(r.exitCode, 0, args.join(' '));
    t.is(r.stderr, '');
  }
});

test.serial('nothing is left once the pods are removed', async (t) => {
  for (const [name, ns] of [['web', 'default'], ['db', 'default'], ['api', 'team-a']]) await node.api.request('DELETE', `/pods/${name}?namespace=${ns}&force=true`);
  await assertNodeEmpty(t, node);
});
