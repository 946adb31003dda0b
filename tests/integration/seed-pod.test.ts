// The seed example end to end, as the README's walk-through runs it: examples/seed-pod.yaml (the
// images httpd and bootcamp:v1) is created, reached, looked into and removed; each claim of the
// walk-through (each app PID 1 of its own PID namespace, its own root filesystem, one shared
// net:[inode]) is checked from outside, through /proc and real TCP. The host example
// (examples/host-pod.yaml, the same apps without images) runs too.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, readlink, stat } from 'node:fs/promises';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { parseManifest } from '../../lib/manifest/text.js';
import { alive, assertNodeEmpty, CLI, curl, HOST_SEED, netnsOf, ROOT, SEED, startTestNode, type TestNode } from '../helpers/node.js';
import { importSeedImages } from '../helpers/seed.js';

const IT_WORKS = '<html><body><h1>It works!</h1></body></html>\n';
const HELLO = (host: string) => `Hello Kubernetes bootcamp! | Running on: ${host} | v=1\n`;
let node: TestNode;
let pod: PodRecord;

test.before(async () => {
  node = await startTestNode();
  await importSeedImages(node);
});
test.after.always(() => node?.dispose());

const ns = (pid: number | string, kind: string) => readlink(`/proc/${pid}/ns/${kind}`);
/** `minipod exec web -c NAME -- CMD…`, which must succeed. */
async function inside(t: import('ava').ExecutionContext, container: string, argv: string[]): Promise<string> {
  const r = await node.cli(['exec', 'web', '-c', container, '--', ...argv]);
  t.is(r.exitCode, 0, `${container}: ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test.serial('run -f creates the seed pod from its images and prints its name and IP once Running', async (t) => {
  const r = await node.cli(['run', '-f', SEED]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^pod\/web Running 10\.88\.0\.\d+\n$/);
  pod = await node.api.request<PodRecord>('GET', '/pods/web');
  t.is(pod.phase, 'Running');
  t.true(r.stdout.includes(pod.ip));
  t.deepEqual(pod.containers.map((c) => [c.name, c.state, c.ready, c.image, c.runtime]), [['httpd', 'Running', true, 'httpd', 'runc'], ['bootcamp', 'Running', true, 'bootcamp:v1', 'runc']], 'run waits until the declared ports listen');
});

test.serial('the node reaches POD_IP:80 and :8080 over TCP, answered by the images; :8081 is refused', async (t) => {
  t.is((await curl(node, `http://${pod.ip}:80/`)).stdout, IT_WORKS);
  t.is((await curl(node, `http://${pod.ip}:8080/`)).stdout, HELLO('web'));
  const refused = await curl(node, `http://${pod.ip}:8081/`);
  t.is(refused.exitCode, 7, 'curl exit 7: connection refused');
});

test.serial('each container\'s PID 1 is its app: ps inside lists the app as 1 and nothing of the node', async (t) => {
  const hostPidns = await ns('self', 'pid');
  for (const c of pod.containers) {
    const rows = (await inside(t, c.name, ['ps'])).trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    const apps = rows.filter((r) => r.slice(2).join(' ') !== 'ps');
    t.deepEqual(apps.map((r) => [r[0], r.slice(2).join(' ')]), [['1', c.argv.join(' ')]], `${c.name}: only its app, as PID 1, and the ps itself`);
    // From outside: the recorded pid is that process, in a PID namespace of its own where it is 1.
    t.is((await readFile(`/proc/${c.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' '), c.argv.join(' '));
    t.is(await readlink(`/proc/${c.pid}/exe`), c.argv[0], 'its program, by its path inside the container');
    const [exe, imageBusybox, nodeBusybox] = await Promise.all([`/proc/${c.pid}/exe`, `/proc/${c.pid}/root/bin/busybox`, '/bin/busybox'].map((f) => stat(f)));
    t.deepEqual([exe.dev, exe.ino], [imageBusybox.dev, imageBusybox.ino], `${c.name} runs the image's busybox (${c.argv[0]} is a hard link to it)`);
    t.notDeepEqual([exe.dev, exe.ino], [nodeBusybox.dev, nodeBusybox.ino], 'not the node\'s');
    t.not(await ns(c.pid!, 'pid'), hostPidns, `${c.name} has a PID namespace of its own`);
    const nspid = /^NSpid:\s+(.*)$/m.exec(await readFile(`/proc/${c.pid}/status`, 'utf8'))![1]!.split(/\s+/);
    t.is(nspid.at(-1), '1', `${c.name} is 1 in its innermost PID namespace`);
  }
});

test.serial('ls / inside each container is its image\'s root, not the node\'s', async (t) => {
  const nodeRoot = (await node.sh(['ls', '/'])).stdout.split('\n').filter(Boolean);
  t.is((await node.sh(['test', '-d', ROOT])).exitCode, 0, 'the node sees this checkout');
  for (const c of pod.containers) {
    const root = (await inside(t, c.name, ['ls', '/'])).split('\n').filter(Boolean);
    t.deepEqual(root, ['bin', 'dev', 'etc', 'home', 'proc', 'root', 'sys', 'tmp', 'usr', 'var'], `${c.name}: the image's top directories`);
    t.notDeepEqual(root, nodeRoot);
    t.is((await node.cli(['exec', 'web', '-c', c.name, '--', 'test', '-d', ROOT])).exitCode, 1, `${c.name} does not see the node's files (${ROOT})`);
  }
  t.is(await inside(t, 'httpd', ['ls', '/usr/local/apache2/htdocs']), 'index.html\n');
  t.is(await inside(t, 'bootcamp', ['ls', '/usr/local/bin']), 'bootcamp\n');
});

test.serial('the pause and both containers share one net:[inode]; mnt and pid namespaces differ', async (t) => {
  const p = await node.api.request<PodRecord>('GET', '/pods/web');
  const pids = [p.sandbox!.pid, ...p.containers.map((c) => c.pid!)];
  const net = await Promise.all(pids.map((pid) => ns(pid, 'net')));
  t.deepEqual(net, [p.sandbox!.netns, p.sandbox!.netns, p.sandbox!.netns], 'one network namespace, read in /proc');
  t.not(p.sandbox!.netns, await netnsOf(node.pid), 'not the node\'s');
  const mnt = await Promise.all(pids.map((pid) => ns(pid, 'mnt')));
  t.is(new Set([...mnt, await ns(node.holderPid, 'mnt')]).size, 3, 'the pause is in the node\'s mount namespace, each container in one of its own');
  const pid = await Promise.all(pids.map((q) => ns(q, 'pid')));
  t.is(new Set(pid).size, 3, 'each container in a PID namespace of its own, apart from the pause\'s');
  t.deepEqual(p.containers.map((c) => [c.mntns, c.pidns, c.netns]), [[mnt[1], pid[1], net[1]], [mnt[2], pid[2], net[2]]], 'inspect names them');
  t.is(p.sandbox!.attempt, 0);
  t.deepEqual(p.containers.map((c) => c.restartCount), [0, 0]);
});

test.serial('inside the pod: lo and eth0@ifN with the pod IP/prefix, default route via the gateway', async (t) => {
  const a = await inside(t, 'httpd', ['ip', '-o', 'addr']);
  t.regex(a, /^1: lo +inet 127\.0\.0\.1\/8/m);
  t.true(a.includes(`eth0    inet ${pod.ip}/16 `), a);
  const links = await inside(t, 'httpd', ['ip', '-o', 'link']);
  t.regex(links, /^2: eth0@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP/m);
  t.true(links.includes(`link/ether ${pod.mac}`));
  t.deepEqual(links.split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.split('@')[0]), ['lo', 'eth0']);
  // (busybox ip lists every route, whatever the filter)
  t.regex(await inside(t, 'bootcamp', ['ip', 'route']), new RegExp(`^default via ${pod.gateway.replaceAll('.', '\\.')} dev eth0 *$`, 'm'));
});

test.serial('inside the pod: localhost reaches the other container, hostname is the pod name', async (t) => {
  t.is(await inside(t, 'httpd', ['wget', '-qO-', 'http://localhost:8080/']), HELLO('web'));
  t.is(await inside(t, 'bootcamp', ['wget', '-qO-', 'http://localhost:80/']), IT_WORKS);
  for (const c of ['httpd', 'bootcamp']) t.is(await inside(t, c, ['hostname']), 'web\n');
});

test.serial('exec passes stdin, stdout, stderr and the exit code through', async (t) => {
  const r = await node.cli(['exec', 'web', '-c', 'bootcamp', '--', 'sh', '-c', 'cat; echo oops >&2; exit 3'], 'from stdin\n');
  t.is(r.exitCode, 3);
  t.is(r.stdout, 'from stdin\n');
  t.is(r.stderr, 'oops\n');
  const missing = await node.cli(['exec', 'web', '-c', 'httpd', '--', 'no-such-program']);
  t.not(missing.exitCode, 0);
  t.regex(missing.stderr, /no-such-program/);
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

test.serial('inspect prints the contract fields, with each container\'s image, runtime and namespaces', async (t) => {
  const r = await node.cli(['inspect', 'web']);
  const p = JSON.parse(r.stdout) as PodRecord;
  for (const key of ['name', 'uid', 'phase', 'ip'] as const) t.truthy(p[key]);
  t.truthy(p.sandbox?.pid);
  t.regex(p.sandbox!.netns, /^net:\[\d+\]$/);
  t.is(p.sandbox!.attempt, 0);
  for (const c of p.containers) {
    t.like(c, { state: 'Running', restartCount: 0, netns: p.sandbox!.netns, runtime: 'runc', mntns: await ns(c.pid!, 'mnt'), pidns: await ns(c.pid!, 'pid') });
    t.regex(c.imageID ?? '', /^[0-9a-f]{64}$/);
    t.regex(c.containerID ?? '', new RegExp(`^runc://web-${c.name}-`));
  }
  t.deepEqual(p.containers.map((c) => c.image), ['httpd', 'bootcamp:v1']);
});

test.serial('logs -c NAME prints the app output, kept in a root-only file under the state dir', async (t) => {
  const r = await node.cli(['logs', 'web', '-c', 'bootcamp']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^bootcamp: GET \/$/m, 'the request from the earlier test was logged');
  const file = pod.containers.find((c) => c.name === 'bootcamp')!.logPath;
  t.true(file.startsWith(node.stateDir));
  t.is((await stat(file)).mode & 0o777, 0o600);
  // Without -c, as kubectl: the first container, and a note on stderr.
  const defaulted = await node.cli(['logs', 'web']);
  t.is(defaulted.exitCode, 0, defaulted.stderr);
  t.is(defaulted.stderr, 'Defaulted container "httpd" out of: httpd, bootcamp\n');
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
  const seed = () => parseManifest(readFileSync(SEED, 'utf8')); // image containers: no workingDir to anchor
  const first = await node.api.request<PodRecord>('POST', '/pods', seed());
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
  const again = await node.api.request<PodRecord>('POST', '/pods', seed());
  t.is(again.ip, first.ip);
  await node.api.waitReady('web', 20_000);
  t.is((await curl(node, `http://${again.ip}:80/`)).exitCode, 0);
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('the host example runs the same apps without images: node processes on the node\'s filesystem, in the pod\'s network', async (t) => {
  const r = await node.cli(['run', '-f', HOST_SEED]);
  t.is(r.exitCode, 0, r.stderr);
  const p = await node.api.request<PodRecord>('GET', '/pods/web-host');
  t.is((await curl(node, `http://${p.ip}:80/`)).stdout, IT_WORKS);
  t.is((await curl(node, `http://${p.ip}:8080/`)).stdout, HELLO('web-host'));
  for (const c of p.containers) {
    t.is((await readFile(`/proc/${c.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).slice(-1)[0], `${c.name}.js`);
    t.is(await netnsOf(c.pid!), p.sandbox!.netns);
    t.is(await ns(c.pid!, 'mnt'), await ns(node.holderPid, 'mnt'), `${c.name} sees the node's filesystem`);
  }
  t.is((await node.cli(['rm', '-f', 'web-host'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
