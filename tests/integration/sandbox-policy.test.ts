// The split-brain guard (acceptance 10), on host processes, and sandboxDeathPolicy Rejoin
// (acceptance 11) for the host example (examples/host-pod.yaml, whose node server keeps a
// connection alive across requests) and for the seed pod's image containers.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { mkdtemp, readlink, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import { parseManifest } from '../../lib/manifest/text.js';
import type { PodManifest } from '../../lib/manifest/pod-spec.js';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { nodeExecArgv } from '../../lib/node/node-namespace.js';
import { assertNodeEmpty, HOST_SEED, netnsOf, SEED, startTestNode, type TestNode } from '../helpers/node.js';
import { importSeedImages } from '../helpers/seed.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;
let scratch: string;

test.before(async () => {
  node = await startTestNode();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'minipod-policy-'));
});
test.after.always(async () => {
  await node?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);

test.serial('an app that leaves the pod\'s namespace is killed and restarted with back-off; the sandbox stays', async (t) => {
  const flag = path.join(scratch, 'moved-once');
  // The first run moves itself into a namespace of its own; the restarted one stays put.
  const script = `if [ -e ${flag} ]; then exec sleep infinity; else touch ${flag}; exec unshare --net sleep infinity; fi`;
  await node.api.request('POST', '/pods', { metadata: { name: 'split' }, spec: { containers: [{ name: 'app', command: ['sh', '-c', script] }] } });
  const first = await get('split');
  const p = await waitFor(async () => {
    const r = await get('split');
    return r.containers[0]!.restartCount === 1 && r.containers[0]!.state === 'Running' ? r : undefined;
  }, 'the guard to notice and the app to be restarted');
  const evs = (await node.cli(['events', 'split', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
  const mismatch = evs.find((e) => e.reason === 'NetnsMismatch');
  t.truthy(mismatch);
  t.regex(mismatch!.message, /container app \(pid \d+\) is in net:\[\d+\], its pause holder in net:\[\d+\]: the container left the pod's network namespace; killing it/);
  t.false(evs.some((e) => e.reason === 'SandboxChanged'), 'no sandbox recreation');
  t.is(p.sandbox!.attempt, 0);
  t.is(p.sandbox!.pid, first.sandbox!.pid, 'same holder');
  t.is(p.containers[0]!.lastState?.signal, 'SIGKILL');
  t.is(await netnsOf(p.containers[0]!.pid!), p.sandbox!.netns);
  t.is((await node.cli(['rm', '-f', 'split'])).exitCode, 0);
});

test.serial('an app that keeps leaving gets CrashLoopBackOff, not a new sandbox every time', async (t) => {
  await node.api.request('POST', '/pods', { metadata: { name: 'leaver' }, spec: { containers: [{ name: 'app', command: ['unshare', '--net', 'sleep', 'infinity'] }] } });
  const p = await waitFor(async () => {
    const r = await get('leaver');
    return r.containers[0]!.reason === 'CrashLoopBackOff' ? r : undefined;
  }, 'the back-off', 20_000);
  t.is(p.sandbox!.attempt, 0);
  const evs = (await node.cli(['events', 'leaver', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
  t.true(evs.some((e) => e.reason === 'BackOff'));
  t.false(evs.some((e) => e.reason === 'SandboxChanged'));
  t.is((await node.cli(['rm', '-f', 'leaver'])).exitCode, 0);
});

/**
 * Run the pod with sandboxDeathPolicy Rejoin, open a TCP connection from the node to its :8080,
 * SIGKILL the holder, and check that a new holder joined the same namespace, nothing restarted,
 * and the open connection still carries a request. With `keepAlive` (the node app answers many
 * requests on one connection) a request is answered before the holder dies too; the image's nc
 * answers one per connection, so there the connection stays open, unused, until after.
 */
async function rejoinKeepsConnection(t: ExecutionContext, manifest: PodManifest, keepAlive: boolean): Promise<void> {
  manifest.spec.sandboxDeathPolicy = 'Rejoin';
  const name = manifest.metadata.name;
  await node.api.request('POST', '/pods', manifest);
  const before = await node.api.waitReady(name, 20_000);
  const hello = `Hello Kubernetes bootcamp! | Running on: ${name} | v=1`;

  const client = `
    const net = require('net'); const rl = require('readline').createInterface({ input: process.stdin });
    const s = net.connect(8080, '${before.ip}'); let buf = '';
    s.on('data', (d) => { buf += d; const m = /Hello[^\\r\\n]*/.exec(buf); if (m) { console.log(m[0]); buf = ''; } });
    s.on('close', () => console.log('connection closed'));
    const ask = () => s.write('GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: keep-alive\\r\\n\\r\\n');
    s.on('connect', () => { console.log('connected'); if (${keepAlive}) ask(); }); rl.on('line', ask);`;
  const [file, ...args] = nodeExecArgv(node, [process.execPath, '-e', client]);
  const conn = execa(file!, args, { stdin: 'pipe', buffer: false, reject: false });
  t.teardown(() => conn.kill());
  const lines = createInterface({ input: conn.stdout! })[Symbol.asyncIterator]();
  t.is((await lines.next()).value, 'connected');
  if (keepAlive) t.is((await lines.next()).value, hello);

  process.kill(before.sandbox!.pid, 'SIGKILL');
  const after = await waitFor(async () => {
    const r = await get(name);
    return r.sandbox?.attempt === 1 && r.phase === 'Running' ? r : undefined;
  }, 'the rejoin');
  t.not(after.sandbox!.pid, before.sandbox!.pid);
  t.is(after.sandbox!.netns, before.sandbox!.netns, 'same namespace');
  t.is(await netnsOf(after.sandbox!.pid), before.sandbox!.netns);
  t.is(await readlink(`/proc/${after.sandbox!.pid}/ns/mnt`), await readlink(`/proc/${node.holderPid}/ns/mnt`), 'the new holder joined the pod\'s namespaces only, not a container\'s mount namespace');
  t.is(after.sandbox!.hostVeth, before.sandbox!.hostVeth, 'same veth');
  t.deepEqual(after.containers.map((c) => [c.pid, c.restartCount]), before.containers.map((c) => [c.pid, 0]), 'zero restarts');
  t.like(after.lastRecovery, { action: 'rejoin' });

  conn.stdin!.write('again\n');
  t.is((await lines.next()).value, hello, 'the same TCP connection still works');
  conn.kill();
  t.is((await node.cli(['rm', '-f', name])).exitCode, 0);
  await assertNodeEmpty(t, node);
}

test.serial('Rejoin: a new holder joins the namespace; apps, IP and an open TCP connection survive', async (t) => {
  const manifest = parseManifest(readFileSync(HOST_SEED, 'utf8'));
  for (const c of manifest.spec.containers) c.workingDir = path.dirname(HOST_SEED);
  await rejoinKeepsConnection(t, manifest, true);
});

test.serial('Rejoin with the seed\'s images: the same containers (pids, nothing restarted), IP and an open connection survive', async (t) => {
  await importSeedImages(node);
  await rejoinKeepsConnection(t, parseManifest(readFileSync(SEED, 'utf8')), false);
});
