// crun as the OCI runtime (issue 10, "support crun too, chosen by a flag"): a node started with
// --oci-runtime crun runs image containers under crun — httpd answers, inspect and the events say
// crun, crun's own `list` (with minipod's --root) shows them, exec -c runs in them, a memory limit
// OOM-kills with 137, a daemon restart re-adopts them (an exit while no daemon ran is known from
// the shim), a restart with another default leaves a crun container to crun, and a pod's
// spec.runtimeClassName picks its own runtime. On a hybrid cgroup machine crun only works because
// the node hides the unified hierarchy's controllers in its own mount namespace
// (runtime/crun-hybrid.ts): checked here, and that the host's stay. Bad values of the flag are
// refused before anything starts. Nothing is left behind.
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import type { PodRecord } from '../../lib/pod/types.js';
import { hybridControllers } from '../../lib/runtime/crun-hybrid.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { waitUntil } from '../../lib/util/wait.js';
import { parentOf, commandLine } from '../../lib/process/identity.js';
import { alive, assertNodeEmpty, CLI, containerLeftovers, curl, restartTestNode, sigterm, startTestNode, type TestNode } from '../helpers/node.js';
import { importImages } from '../helpers/seed.js';

const IT_WORKS = '<html><body><h1>It works!</h1></body></html>\n';
let node: TestNode;

const pod = (name: string, containers: Record<string, unknown>[]) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, restartPolicy: 'Never', containers } });
const httpd = (name: string) => pod(name, [{ name: 'httpd', image: 'httpd', ports: [{ containerPort: 80 }] }]);
const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const bundleOf = (c: { containerID?: string | null }) => `bundle ${c.containerID!.replace(/^[a-z]+:\/\//, '')}`;

async function ready(name: string): Promise<PodRecord> {
  const p = await waitUntil(async () => {
    const r = await get(name);
    return r.phase === 'Running' && r.containers.every((c) => c.ready) ? r : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  if (!p) throw new Error(`pod ${name} never got ready: ${JSON.stringify(await get(name))}`);
  return p;
}

/** crun's own view of minipod's containers (its --root under the node's state): [containerID, status, pid]. */
async function crunList(): Promise<[string, string, number][]> {
  const out = (await execa('crun', ['--root', path.join(node.stateDir, 'crun'), 'list', '--format', 'json'])).stdout;
  return (JSON.parse(out || '[]') as { id: string; status: string; pid: number }[]).map((c) => [`crun://${c.id}`, c.status, c.pid]);
}

test.before(async () => {
  node = await startTestNode({ ociRuntime: 'crun' });
  await importImages(node, ['httpd.tar', 'busybox.tar']);
});
test.after.always(async () => {
  for (const ref of ['httpd', 'busybox']) await node?.cli(['image', 'rm', ref]);
  await node?.dispose();
});

test.serial('an image pod runs under crun: httpd answers, inspect and the events say crun, crun list shows it, the shim is its parent', async (t) => {
  const created = await node.api.request<PodRecord>('POST', '/pods', httpd('web'));
  t.is(created.phase, 'Running');
  const p = await ready('web');
  t.is((await curl(node, `http://${p.ip}:80/`)).stdout, IT_WORKS);
  const c = p.containers[0]!;
  t.regex(c.containerID ?? '', /^crun:\/\/web-httpd-[A-Za-z0-9]{8}$/);
  t.is(c.runtime, 'crun');
  const inspect = await node.cli(['inspect', 'web']);
  t.regex(inspect.stdout, /"runtime": "crun"/);
  const started = (await node.cli(['events', 'web', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent).find((e) => e.reason === 'ContainerStarted');
  t.regex(started!.message, /under crun$/);
  t.deepEqual(await crunList(), [[c.containerID!, 'running', c.pid!]]);
  const shim = await parentOf(c.pid!);
  t.regex(await commandLine(shim!), /rootfs\/shim\/shim -l -r .*\/crun --root .* run --detach /, 'crun detached; the shim (its subreaper) is the container\'s parent');
  t.deepEqual(JSON.parse(await readFile(path.join(node.dir, 'node.json'), 'utf8')), { ociRuntime: 'crun' }, 'the node keeps the flag');
});

test.serial('crun works through the node\'s own mount namespace: the unified hierarchy\'s controllers are hidden there, never on the host', async (t) => {
  const host = await hybridControllers();
  if (!host.length) return t.pass('not a hybrid cgroup machine with cgroup2 controllers: crun runs as it is');
  t.is((await node.sh(['cat', '/sys/fs/cgroup/unified/cgroup.controllers'])).stdout, '', 'empty in the node');
  t.deepEqual(await hybridControllers(), host, 'the host\'s mount namespace still lists them');
});

test.serial('exec -c runs in the crun container as the container\'s process does (env, working dir); -t gets the terminal crun makes', async (t) => {
  const r = await node.cli(['exec', 'web', '-c', 'httpd', '--', 'sh', '-c', 'ls htdocs; cat /proc/1/cmdline | tr "\\0" " "; echo; echo $HTTPD_PREFIX']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^index\.html\n\/bin\/httpd -f .*\n\/usr\/local\/apache2\n$/, 'in the image\'s working dir, with its env, PID 1 is httpd');
  t.is((await node.cli(['exec', 'web', '-c', 'httpd', '--', 'sh', '-c', 'exit 7'])).exitCode, 7);
  // A terminal: crun makes the pty, of the size asked (consoleSize), and sends it over the console
  // socket to ptyrelay. crun sets that size from its parent while the command starts (runc sets it
  // before): a command that asks at once finds 0x0 about once in a hundred, where busybox's stty
  // says "standard input" and exits 0. So it asks until the size is there, for at most a second.
  let screen = '';
  const stdout = new PassThrough().on('data', (d: Buffer) => (screen += d.toString()));
  const tty = { size: { rows: 24, cols: 100 }, watch: () => () => {} };
  const sized = 'i=0; until s=$(stty size 2>/dev/null) && [ -n "$s" ] && [ "$s" != "0 0" ]; do i=$((i+1)); [ $i -lt 50 ] || break; sleep 0.02; done; echo "$s"';
  const code = await node.api.exec('web', ['sh', '-c', `${sized}; tty; exit 4`], { stdin: new PassThrough(), stdout, stderr: new PassThrough() }, { container: 'httpd', tty });
  t.is(code, 4);
  t.regex(screen, /24 100\r?\n\/dev\/pts\/\d+/);
});

test.serial('over its memory limit under crun: OOMKilled with exit code 137 (crun kept the cgroup until minipod read it)', async (t) => {
  const created = await node.api.request<PodRecord>('POST', '/pods', pod('oom', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'x=a; while :; do x=$x$x; done'], resources: { limits: { memory: '16Mi' } } }]));
  t.regex(created.containers[0]!.containerID ?? '', /^crun:\/\//);
  const p = await waitUntil(async () => {
    const r = await get('oom');
    return r.containers[0]!.state === 'Terminated' ? r : undefined;
  }, { timeoutMs: 30_000, everyMs: 100 });
  t.like(p?.containers[0], { reason: 'OOMKilled', exitCode: 137 });
  t.is((await node.cli(['rm', '-f', 'oom'])).exitCode, 0);
});

test.serial('a daemon restart re-adopts the crun containers; their exit codes come from the shim, after the restart or while no daemon runs', async (t) => {
  const before = (await ready('web')).containers[0]!;
  // Each waits for /tmp/go, which the test makes in its root filesystem, then exits with its own code.
  const waiting = (name: string, code: number) => pod(name, [{ name: 'c', image: 'busybox', command: ['sh', '-c', `while [ ! -e /tmp/go ]; do sleep 0.1; done; exit ${code}`] }]);
  const adopted = await node.api.request<PodRecord>('POST', '/pods', waiting('adopted', 5));
  const waiter = await node.api.request<PodRecord>('POST', '/pods', waiting('later', 7));
  const pid = waiter.containers[0]!.pid!;
  node = await restartTestNode(node);
  const after = await get('web');
  t.deepEqual([after.containers[0]!.pid, after.containers[0]!.containerID, after.containers[0]!.restartCount], [before.pid, before.containerID, 0], 're-adopted, not restarted');
  t.is((await curl(node, `http://${after.ip}:80/`)).stdout, IT_WORKS);
  t.is((await node.cli(['exec', 'web', '-c', 'httpd', '--', 'true'])).exitCode, 0, 'exec into the re-adopted container');
  await writeFile(`/proc/${adopted.containers[0]!.pid}/root/tmp/go`, '');
  const exited = await waitUntil(async () => {
    const r = await get('adopted');
    return r.containers[0]!.state === 'Terminated' ? r : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  t.like(exited?.containers[0], { exitCode: 5, reason: 'Error' }, 'the re-adopted container\'s exit code, from the shim');
  t.is((await node.cli(['rm', '-f', 'adopted'])).exitCode, 0);

  await sigterm(node); // the daemon goes; the pods stay
  await writeFile(`/proc/${pid}/root/tmp/go`, '');
  await waitUntil(async () => !alive(pid), { timeoutMs: 5000, everyMs: 10 });
  node = await startTestNode({}, node.dir);
  const ended = await waitUntil(async () => {
    const r = await get('later');
    return r.containers[0]!.state === 'Terminated' ? r : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  t.like(ended?.containers[0], { exitCode: 7, reason: 'Error' }, 'not Unknown: the shim waited for the container crun left it');
  t.false((await containerLeftovers(node)).includes(bundleOf(waiter.containers[0]!)), 'its bundle is removed');
  t.is((await node.cli(['rm', '-f', 'later'])).exitCode, 0);
});

test.serial('a daemon restarted with --oci-runtime runc leaves the crun container to crun, starts new ones under runc, and a pod\'s runtimeClassName under its own', async (t) => {
  const before = (await ready('web')).containers[0]!;
  node = await restartTestNode(node, { ociRuntime: 'runc' });
  const after = (await get('web')).containers[0]!;
  t.like(after, { pid: before.pid, containerID: before.containerID, runtime: 'crun' });
  const other = await node.api.request<PodRecord>('POST', '/pods', httpd('other'));
  t.regex(other.containers[0]!.containerID ?? '', /^runc:\/\//);
  const classed = (name: string, runtimeClassName: unknown) => ({ ...httpd(name), spec: { ...httpd(name).spec, runtimeClassName } });
  const byClass = await node.api.request<PodRecord>('POST', '/pods', classed('byclass', 'crun'));
  t.regex(byClass.containers[0]!.containerID ?? '', /^crun:\/\//, 'runtimeClassName: crun on a runc node');
  t.is((await curl(node, `http://${(await ready('byclass')).ip}:80/`)).stdout, IT_WORKS);
  await t.throwsAsync(node.api.request('POST', '/pods', classed('bad', 'kata')), { message: /spec\.runtimeClassName: must be runc or crun/ });
  t.is((await node.cli(['stop', 'web'])).exitCode, 0);
  t.like((await get('web')).containers[0], { state: 'Terminated', reason: 'Killed' });
  t.deepEqual((await crunList()).map(([id]) => id), [byClass.containers[0]!.containerID], 'crun deleted the stopped container');
  t.false((await containerLeftovers(node)).includes(bundleOf(before)));
  t.is((await node.cli(['rm', '-f', 'web', 'other', 'byclass'])).exitCode, 0);
  node = await restartTestNode(node, { ociRuntime: 'crun' });
});

test.serial('bad --oci-runtime values are refused naming the flag and the choices; nothing is started', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-crun-bad-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const node1 = path.join(dir, 'node');
  const bad = await execa(process.execPath, [CLI, 'node', 'start', '--dir', node1, '--oci-runtime', 'kata'], { reject: false });
  t.is(bad.exitCode, 1, bad.stderr);
  t.regex(bad.stderr, /--oci-runtime "kata": give runc or crun/);
  t.false(existsSync(node1), 'no node directory made');
  const restart = await node.cli(['node', 'restart', '--dir', node.dir, '--oci-runtime', 'gvisor']);
  t.not(restart.exitCode, 0);
  t.regex(restart.stderr, /--oci-runtime "gvisor": give runc or crun/);
  t.is((await node.cli(['get', 'pods'])).exitCode, 0, 'the node\'s daemon still answers');
  // The daemon itself, in a network + mount namespace of its own (never the host's), not a node.
  const daemon = (flag: string) => execa('unshare', ['--net', '--mount', '--propagation', 'private', '--', process.execPath, CLI, 'daemon', '--state-dir', path.join(dir, 'state'), '--run-dir', path.join(dir, 'run'), '--oci-runtime', flag], { reject: false, timeout: 20_000 });
  const d = await daemon('youki');
  t.not(d.exitCode, 0);
  t.regex(d.stderr, /--oci-runtime "youki": give runc or crun/);
  t.false(existsSync(path.join(dir, 'state')), 'nothing made');
  if ((await hybridControllers()).length) {
    const h = await daemon('crun');
    t.not(h.exitCode, 0);
    t.regex(h.stderr, /--oci-runtime crun: crun 1\.8 refuses this hybrid cgroup machine .* `minipod node start --oci-runtime crun`/);
    t.false(existsSync(path.join(dir, 'state')), 'nothing made');
  }
});

test.serial('nothing is left: no container, bundle, mount, crun or runc state, cgroup', async (t) => {
  t.deepEqual(await crunList(), []);
  await assertNodeEmpty(t, node);
});
