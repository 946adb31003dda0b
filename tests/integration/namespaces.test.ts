// Namespaces, labels, annotations and selectors on a real node: the same pod name in two
// namespaces, both running with their own IP, veth, `ip netns` name, log directory and record;
// -n and -A listings, -l on get and delete; annotations kept; a Deployment in a namespace; rm in
// one namespace leaves the other; a daemon restart re-adopts both, and a record written before
// namespaces (no `namespace` field) is adopted in default; mismatches and bad names change nothing.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, restartTestNode, sigterm, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;

const pod = (name: string, extra: { namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...extra }, spec: { containers: [{ name: 'app', command: ['sh', '-c', 'echo "hello from $POD_NS"; exec sleep 1000'], env: [{ name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }] }] } });

async function cli(args: string[], input?: string): Promise<string> {
  const r = await node.cli(args, input);
  if (r.exitCode !== 0) throw new Error(`minipod ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}
const get = (ns: string, name: string) => node.api.request<PodRecord>('GET', `/pods/${name}?namespace=${ns}`);
const names = (out: string) => out.trim().split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' '));

test.before(async () => {
  node = await startTestNode();
});
test.after.always(() => node?.dispose());

test.serial('the same name in two namespaces: two running pods with their own IP, veth, netns name, logs and record', async (t) => {
  t.is(await cli(['apply', '-f', '-'], pod('web', { labels: { app: 'web' }, annotations: { 'example.com/note': 'a note, with "quotes"' } })), 'pod/web created\n');
  t.is(await cli(['apply', '-n', 'team-a', '-f', '-'], pod('web', { labels: { app: 'web', tier: 'front' } })), 'pod/web created\n');
  t.is((await cli(['run', '-f', '-'], pod('db', { namespace: 'team-a', labels: { app: 'db' } }))).split(' ')[0], 'pod/db');
  const [a, b] = [await get('default', 'web'), await get('team-a', 'web')];
  t.is(a.namespace, 'default');
  t.is(b.namespace, 'team-a');
  t.not(a.ip, b.ip);
  t.not(a.sandbox!.hostVeth, b.sandbox!.hostVeth);
  t.not(a.sandbox!.netns, b.sandbox!.netns);
  t.not(a.containers[0]!.logPath, b.containers[0]!.logPath);
  t.is(b.containers[0]!.logPath, path.join(node.stateDir, 'logs', 'team-a_web', 'app.log'));
  t.deepEqual((await readdir(path.join(node.stateDir, 'pods'))).sort(), ['team-a_db.json', 'team-a_web.json', 'web.json']);
  const netns = await node.sh(['ip', 'netns', 'list']);
  t.regex(netns.stdout, /^team-a_web\b/m);
  t.regex(netns.stdout, /^web\b/m);
  await waitFor(async () => (await cli(['logs', '-n', 'team-a', 'web'])) === 'hello from team-a\n' || undefined, 'the downward namespace in team-a\'s log', 10_000, 50);
  t.is(await cli(['logs', 'web']), 'hello from default\n');
});

test.serial('-n and -A list one namespace or all (NAMESPACE first); -l selects by label on get and ps', async (t) => {
  t.deepEqual(names(await cli(['ps'])), ['web 1/1']);
  t.deepEqual(names(await cli(['get', 'pods', '-n', 'team-a'])), ['web 1/1', 'db 1/1']);
  const all = await cli(['get', 'pods', '-A']);
  t.regex(all, /^NAMESPACE\s+NAME\s+READY/);
  t.deepEqual(names(all), ['default web', 'team-a web', 'team-a db']);
  t.deepEqual(names(await cli(['ps', '-A', '-l', 'app=web'])), ['default web', 'team-a web']);
  t.deepEqual(names(await cli(['get', 'pods', '-A', '-l', 'app in (web,db),tier notin (front)'])), ['default web', 'team-a db']);
  t.deepEqual(names(await cli(['get', 'pods', '-n', 'team-a', '-l', '!tier'])), ['db 1/1']);
  t.regex(await cli(['get', 'pod', 'web', '-n', 'team-a', '-o', 'wide']), new RegExp((await get('team-a', 'web')).sandbox!.hostVeth));
  const bad = await node.cli(['get', 'pods', '-l', 'app in (web']);
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /invalid label selector "app in \(web": a "\(" without its "\)"/);
});

test.serial('annotations round-trip through -o yaml, -o json and describe, with the namespace', async (t) => {
  const obj = JSON.parse(await cli(['get', 'pod', 'web', '-o', 'json'])) as { metadata: { namespace: string; annotations: Record<string, string> } };
  t.is(obj.metadata.namespace, 'default');
  t.deepEqual(obj.metadata.annotations, { 'example.com/note': 'a note, with "quotes"' });
  t.regex(await cli(['get', 'pod', 'web', '-n', 'team-a', '-o', 'yaml']), /namespace: team-a/);
  const described = await cli(['describe', 'pod', 'web', '-n', 'team-a']);
  t.regex(described, /^Namespace:\s+team-a$/m);
  t.regex(await cli(['describe', 'pod', 'web']), /example\.com\/note/);
});

test.serial('a namespace mismatch and bad names are refused and change nothing', async (t) => {
  const before = (await readdir(path.join(node.stateDir, 'pods'))).sort();
  const mismatch = await node.cli(['apply', '-n', 'b', '-f', '-'], pod('x', { namespace: 'a' }));
  t.is(mismatch.exitCode, 1);
  t.regex(mismatch.stderr, /the namespace from the provided object "a" does not match the namespace "b"\. You must pass '--namespace=a' to perform this operation\./);
  const explicitDefault = await node.cli(['apply', '-n', 'b', '-f', '-'], pod('x', { namespace: 'default' }));
  t.is(explicitDefault.exitCode, 1, 'a file that names default, with -n b: refused, not sent to b');
  t.regex(explicitDefault.stderr, /the namespace from the provided object "default" does not match the namespace "b"/);
  const api = await node.api.request('POST', '/pods?namespace=b', JSON.parse(pod('x', { namespace: 'a' }))).catch((e: Error) => e);
  t.regex(String(api), /does not match the namespace "b"/, 'the daemon refuses it too');
  const badNs = await node.cli(['apply', '-f', '-'], pod('x', { namespace: 'Team_A' }));
  t.is(badNs.exitCode, 1);
  t.regex(badNs.stderr, /metadata\.namespace: must be a DNS-1123 label/);
  t.is((await node.cli(['ps', '-n', 'Bad_NS'])).exitCode, 2);
  const missing = await node.cli(['rm', '-n', 'team-b', '-f', 'web']);
  t.is(missing.exitCode, 1);
  t.regex(missing.stderr, /pod web in namespace team-b not found/);
  t.deepEqual((await readdir(path.join(node.stateDir, 'pods'))).sort(), before);
});

test.serial('a Deployment in a namespace makes its pods there', async (t) => {
  const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'team-a' }, spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'app', command: ['sleep', '1000'] }] } } } };
  t.is(await cli(['apply', '-f', '-'], JSON.stringify(d)), 'deployment.apps/api created\n');
  const s = await waitFor(async () => {
    const got = await node.api.request<DeploymentStatus>('GET', '/deployments/api?namespace=team-a');
    return got.status.readyReplicas === 1 ? got : undefined;
  }, 'deployment api ready in team-a', 30_000, 100);
  t.is((await get('team-a', s.status.pods[0]!)).namespace, 'team-a');
  t.deepEqual(names(await cli(['get', 'deployments'])), [], 'not in default');
  t.deepEqual(names(await cli(['get', 'deployments', '-A'])), ['team-a api']);
  t.is(await cli(['delete', 'deployment', 'api', '-n', 'team-a']), 'deployment.apps "api" deleted\n');
});

test.serial('rm in one namespace leaves the other; delete -l removes what the selector matches', async (t) => {
  t.is((await node.cli(['rm', '-f', '-n', 'team-a', 'web'])).exitCode, 0);
  t.is((await get('default', 'web')).phase, 'Running');
  t.is(await cli(['delete', 'pods', '-n', 'team-a', '-l', 'app=db']), 'pod "db" deleted\n');
  t.deepEqual(names(await cli(['ps', '-A'])), ['default web']);
});

test.serial('a daemon restart re-adopts pods of both namespaces; a record without a namespace field is default', async (t) => {
  t.is(await cli(['apply', '-n', 'team-a', '-f', '-'], pod('web')), 'pod/web created\n');
  const [a, b] = [await get('default', 'web'), await get('team-a', 'web')];
  await sigterm(node); // the daemon only: the pods keep running (live restore)
  // As the previous version wrote it: no namespace anywhere in the record.
  const file = path.join(node.stateDir, 'pods', 'web.json');
  const old = JSON.parse(await readFile(file, 'utf8')) as Record<string, any>;
  delete old.namespace;
  delete old.manifest.metadata.namespace;
  await writeFile(file, JSON.stringify(old));
  node = await restartTestNode(node);
  const [a2, b2] = [await get('default', 'web'), await get('team-a', 'web')];
  t.is(a2.uid, a.uid);
  t.is(a2.namespace, 'default');
  t.is(a2.sandbox!.pid, a.sandbox!.pid, 'adopted, not recreated');
  t.is(b2.uid, b.uid);
  t.is(b2.sandbox!.pid, b.sandbox!.pid);
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  t.is((await node.cli(['rm', '-f', '-n', 'team-a', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
