// The seed example end to end (issue acceptance 2-6): create, reach, look inside, remove.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { parseManifest } from '../../lib/manifest/parse.js';
import { alive, assertNodeEmpty, CLI, curl, netnsOf, SEED, startTestNode, type TestNode } from '../helpers/node.js';

let node: TestNode;
let pod: PodRecord;

test.before(async () => {
  node = await startTestNode();
});
test.after.always(() => node?.dispose());

test.serial('run -f creates the seed pod and prints its name and IP once Running', async (t) => {
  const r = await node.cli(['run', '-f', SEED]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^pod\/web Running 10\.88\.0\.\d+\n$/);
  pod = await node.api.request<PodRecord>('GET', '/pods/web');
  t.is(pod.phase, 'Running');
  t.true(r.stdout.includes(pod.ip));
  t.deepEqual(pod.containers.map((c) => [c.name, c.state, c.ready]), [['httpd', 'Running', true], ['bootcamp', 'Running', true]], 'run waits until the declared ports listen');
});

test.serial('the node reaches POD_IP:80 and :8080; :8081 is refused', async (t) => {
  t.is((await curl(node, `http://${pod.ip}:80/`)).stdout, '<html><body><h1>It works!</h1></body></html>\n');
  t.is((await curl(node, `http://${pod.ip}:8080/`)).stdout, 'Hello Kubernetes bootcamp! | Running on: web | v=1\n');
  const refused = await curl(node, `http://${pod.ip}:8081/`);
  t.is(refused.exitCode, 7, 'curl exit 7: connection refused');
});

test.serial('inside the pod: lo and eth0@ifN with the pod IP/prefix, default route via the gateway', async (t) => {
  const a = await node.cli(['exec', 'web', '--', 'ip', '-o', 'addr']);
  t.is(a.exitCode, 0, a.stderr);
  t.regex(a.stdout, /^1: lo +inet 127\.0\.0\.1\/8/m);
  t.true(a.stdout.includes(`eth0    inet ${pod.ip}/16 `), a.stdout);
  const links = await node.cli(['exec', 'web', '--', 'ip', '-o', 'link']);
  t.regex(links.stdout, /^2: eth0@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP>/m);
  t.true(links.stdout.includes(`link/ether ${pod.mac}`));
  t.deepEqual(links.stdout.split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.split('@')[0]), ['lo', 'eth0']);
  const route = await node.cli(['exec', 'web', '--', 'ip', 'route', 'show', 'default']);
  t.is(route.stdout.trim(), `default via ${pod.gateway} dev eth0`);
});

test.serial('inside the pod: localhost:8080 answers from the other app and hostname is the pod name', async (t) => {
  const local = await node.cli(['exec', 'web', '--', 'curl', '-sS', 'http://localhost:8080/']);
  t.is(local.stdout, 'Hello Kubernetes bootcamp! | Running on: web | v=1\n');
  t.is((await node.cli(['exec', 'web', '--', 'hostname'])).stdout, 'web\n');
});

test.serial('exec passes stdin, stdout, stderr and the exit code through', async (t) => {
  const r = await node.cli(['exec', 'web', '--', 'sh', '-c', 'cat; echo oops >&2; exit 3'], 'from stdin\n');
  t.is(r.exitCode, 3);
  t.is(r.stdout, 'from stdin\n');
  t.is(r.stderr, 'oops\n');
  const missing = await node.cli(['exec', 'web', '--', 'no-such-program']);
  t.not(missing.exitCode, 0);
  t.regex(missing.stderr, /no-such-program/);
});

test.serial('pause and both apps share one net:[inode], different from the node', async (t) => {
  const p = await node.api.request<PodRecord>('GET', '/pods/web');
  t.regex(p.sandbox!.netns, /^net:\[\d+\]$/);
  t.not(p.sandbox!.netns, await netnsOf(node.pid));
  t.is(await netnsOf(p.sandbox!.pid), p.sandbox!.netns, 'checked from outside through /proc');
  for (const c of p.containers) {
    t.is(c.netns, p.sandbox!.netns);
    t.is(await netnsOf(c.pid!), p.sandbox!.netns);
  }
  t.is(p.sandbox!.attempt, 0);
  t.deepEqual(p.containers.map((c) => c.restartCount), [0, 0]);
});

test.serial("the node's bridge has the pod's host-side veth", async (t) => {
  const r = await node.sh(['ip', '-o', 'link', 'show', 'master', 'minipod0']);
  t.regex(r.stdout, new RegExp(`^\\d+: ${pod.sandbox!.hostVeth}@if\\d+: .*state UP`, 'm'));
  t.true(pod.sandbox!.hostVeth.length <= 15);
});

test.serial('ps shows a kubectl-like table and --json', async (t) => {
  const table = await node.cli(['ps']);
  t.is(table.exitCode, 0);
  const [head, row] = table.stdout.trim().split('\n');
  t.deepEqual(head!.split(/\s+/), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP']);
  t.deepEqual(row!.split(/\s+/).filter((_, i) => i !== 4), ['web', '2/2', 'Running', '0', pod.ip]);
  const json = JSON.parse((await node.cli(['ps', '--json'])).stdout) as PodRecord[];
  t.deepEqual(json.map((p) => [p.name, p.ip, p.phase]), [['web', pod.ip, 'Running']]);
});

test.serial('inspect prints the contract fields', async (t) => {
  const r = await node.cli(['inspect', 'web']);
  const p = JSON.parse(r.stdout) as PodRecord;
  for (const key of ['name', 'uid', 'phase', 'ip'] as const) t.truthy(p[key]);
  t.truthy(p.sandbox?.pid);
  t.regex(p.sandbox!.netns, /^net:\[\d+\]$/);
  t.is(p.sandbox!.attempt, 0);
  for (const c of p.containers) t.like(c, { state: 'Running', restartCount: 0, netns: p.sandbox!.netns });
});

test.serial('logs -c NAME prints the app output, kept in a root-only file under the state dir', async (t) => {
  const r = await node.cli(['logs', 'web', '-c', 'bootcamp']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /Kubernetes Bootcamp App Started At: .* Running On: web/);
  t.regex(r.stdout, /GET \//, 'the request from the earlier test was logged');
  const file = pod.containers.find((c) => c.name === 'bootcamp')!.logPath;
  t.true(file.startsWith(node.stateDir));
  t.is((await stat(file)).mode & 0o777, 0o600);
  const ambiguous = await node.cli(['logs', 'web']);
  t.is(ambiguous.exitCode, 1);
  t.regex(ambiguous.stderr, /choose one with -c \(httpd, bootcamp\)/);
});

test.serial('logs -f streams new output as it is written', async (t) => {
  const follower = spawn(process.execPath, [CLI, 'logs', 'web', '-c', 'bootcamp', '-f'], { env: { ...process.env, MINIPOD_SOCKET: node.socket } });
  t.teardown(() => follower.kill());
  let out = '';
  const seen = new Promise<void>((resolve) =>
    follower.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('GET /followed')) resolve();
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  await curl(node, `http://${pod.ip}:8080/followed`);
  await seen;
  t.pass();
});

test.serial('rm refuses a running pod; stop then rm removes it and everything it made', async (t) => {
  const p = await node.api.request<PodRecord>('GET', '/pods/web');
  const refused = await node.cli(['rm', 'web']);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, /pod web is Running: stop it first .* or use `minipod rm -f web`/);
  t.is((await node.cli(['stop', 'web'])).exitCode, 0);
  const stopped = await node.api.request<PodRecord>('GET', '/pods/web');
  t.is(stopped.phase, 'Stopped');
  t.false(alive(p.sandbox!.pid));
  for (const c of p.containers) t.false(alive(c.pid!));
  t.is((await node.cli(['stop', 'web'])).exitCode, 0, 'stop is idempotent');
  t.is((await node.cli(['rm', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('rm -f removes a running pod and the IP is handed out again', async (t) => {
  const first = await node.api.request<PodRecord>('POST', '/pods', seedManifest());
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
  const again = await node.api.request<PodRecord>('POST', '/pods', seedManifest());
  t.is(again.ip, first.ip);
  await node.api.waitReady('web', 10_000);
  t.is((await curl(node, `http://${again.ip}:80/`)).exitCode, 0);
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

/** The seed manifest as the CLI sends it: parsed, with workingDir anchored to examples/. */
function seedManifest() {
  const manifest = parseManifest(readFileSync(SEED, 'utf8'));
  for (const c of manifest.spec.containers) c.workingDir = path.dirname(SEED);
  return manifest;
}
