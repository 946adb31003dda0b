// The split-brain guard (acceptance 10) and sandboxDeathPolicy Rejoin (acceptance 11), on host
// processes: Rejoin runs the host example (examples/host-pod.yaml), whose node bootcamp keeps a
// connection alive across requests (the image's nc answers one request per connection).
import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { nodeExecArgv } from '../../lib/node/node-namespace.js';
import { assertNodeEmpty, HOST_SEED, netnsOf, startTestNode, type TestNode } from '../helpers/node.js';
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

test.serial('Rejoin: a new holder joins the namespace; apps, IP and an open TCP connection survive', async (t) => {
  const manifest = (await import('../../lib/manifest/parse.js')).parseManifest((await import('node:fs')).readFileSync(HOST_SEED, 'utf8'));
  manifest.spec.sandboxDeathPolicy = 'Rejoin';
  for (const c of manifest.spec.containers) c.workingDir = path.dirname(HOST_SEED);
  await node.api.request('POST', '/pods', manifest);
  const before = await node.api.waitReady('web-host', 10_000);

  // A keep-alive connection from the node, used before and after the holder dies.
  const client = `
    const net = require('net'); const rl = require('readline').createInterface({ input: process.stdin });
    const s = net.connect(8080, '${before.ip}'); let buf = '';
    s.on('data', (d) => { buf += d; const m = /Hello[^\\r\\n]*/.exec(buf); if (m) { console.log(m[0]); buf = ''; } });
    s.on('close', () => console.log('connection closed'));
    const ask = () => s.write('GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: keep-alive\\r\\n\\r\\n');
    s.on('connect', ask); rl.on('line', ask);`;
  const [file, ...args] = nodeExecArgv(node, [process.execPath, '-e', client]);
  const conn = execa(file!, args, { stdin: 'pipe', buffer: false, reject: false });
  t.teardown(() => conn.kill());
  const lines = (await import('node:readline')).createInterface({ input: conn.stdout! })[Symbol.asyncIterator]();
  t.is((await lines.next()).value, 'Hello Kubernetes bootcamp! | Running on: web-host | v=1');

  process.kill(before.sandbox!.pid, 'SIGKILL');
  const after = await waitFor(async () => {
    const r = await get('web-host');
    return r.sandbox?.attempt === 1 && r.phase === 'Running' ? r : undefined;
  }, 'the rejoin');
  t.not(after.sandbox!.pid, before.sandbox!.pid);
  t.is(after.sandbox!.netns, before.sandbox!.netns, 'same namespace');
  t.is(await netnsOf(after.sandbox!.pid), before.sandbox!.netns);
  t.is(after.sandbox!.hostVeth, before.sandbox!.hostVeth, 'same veth');
  t.deepEqual(after.containers.map((c) => [c.pid, c.restartCount]), before.containers.map((c) => [c.pid, 0]), 'zero restarts');
  t.like(after.lastRecovery, { action: 'rejoin' });

  conn.stdin!.write('again\n');
  t.is((await lines.next()).value, 'Hello Kubernetes bootcamp! | Running on: web-host | v=1', 'the same TCP connection still works');
  conn.kill();
  t.is((await node.cli(['rm', '-f', 'web-host'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
