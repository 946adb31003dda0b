// Probes, as kubelet runs them, on real processes in a node: readiness (httpGet, tcpSocket)
// drives READY and `run`'s wait; a liveness probe that fails restarts the container with
// Unhealthy and Killing events (with Never it stays terminated); a startup probe holds the
// liveness probe back; probes go on after a daemon restart and a sandbox recreation.
import test from 'ava';
import path from 'node:path';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { assertNodeEmpty, restartTestNode, type TestNode } from '../helpers/node.js';
import { disposeImageNode, startImageNode } from '../helpers/seed.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;

test.before(async () => {
  process.env.MINIPOD_BACKOFF_BASE_MS = '300'; // the daemon inherits it: restarts come quickly
  node = await startImageNode(['busybox.tar']);
});
test.after.always(() => disposeImageNode(node, ['busybox']));

const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const events = async (name: string) => (await node.cli(['events', name, '--json'])).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as PodEvent);
const flag = (name: string) => path.join(node.dir, `healthy-${name}`);
const sh = (name: string, script: string) => node.cli(['exec', name, '--', 'sh', '-c', script]);

/** A host process serving /healthz on 8080: 200 while its flag file exists, 500 otherwise. */
const server = (name: string) => ({
  name: 'app',
  command: ['node', '-e', `const fs=require('fs');require('http').createServer((q,s)=>{s.writeHead(fs.existsSync(${JSON.stringify(flag(name))})?200:500);s.end()}).listen(8080)`],
  ports: [{ containerPort: 8080 }],
});
const fast = { periodSeconds: 1, failureThreshold: 1 };

/** Removed at the end of the test, also when it fails (the last test checks that nothing is left). */
function removedAfter(t: { teardown(fn: () => Promise<unknown>): void }, name: string): void {
  t.teardown(() => node.cli(['rm', '-f', name]));
}

test.serial('readiness httpGet: READY 0/1 and `run` keeps waiting while it fails; ready once it passes; not ready again when it fails', async (t) => {
  removedAfter(t, 'web');
  const manifest = { metadata: { name: 'web' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ ...server('web'), readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, ...fast } }] } };
  const run = node.cli(['run', '-f', '-', '--timeout', '30'], JSON.stringify(manifest));
  // Refused until node listens (`dial tcp …: connect: connection refused`), then 500.
  const failing = await waitFor(async () => (await events('web')).find((e) => e.reason === 'Unhealthy' && /statuscode/.test(e.message)), 'a failed readiness probe');
  t.is(failing.message, 'Readiness probe failed: HTTP probe failed with statuscode: 500');
  t.is(failing.type, 'Warning');
  t.regex((await node.cli(['ps'])).stdout, /web\s+0\/1\s+Running\s/, 'listening, but not ready');
  t.false((await get('web')).containers[0]!.ready);
  t.is((await sh('web', `touch ${flag('web')}`)).exitCode, 0);
  const done = await run;
  t.is(done.exitCode, 0, done.stderr);
  t.regex(done.stdout, /pod\/web Running/);
  t.regex((await node.cli(['ps'])).stdout, /web\s+1\/1\s+Running\s/);
  const described = (await node.cli(['describe', 'pod', 'web'])).stdout;
  t.regex(described, /Readiness:\s+http-get http:\/\/:8080\/healthz delay=0s timeout=1s period=1s #success=1 #failure=1/);
  await sh('web', `rm ${flag('web')}`);
  await waitFor(async () => !(await get('web')).containers[0]!.ready, 'not ready again');
  t.is((await get('web')).containers[0]!.restartCount, 0, 'a readiness probe never restarts');
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
});

test.serial('`run` with a readiness probe that never passes reports the container not ready', async (t) => {
  removedAfter(t, 'never');
  const manifest = { metadata: { name: 'never' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ ...server('never'), readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, ...fast } }] } };
  const r = await node.cli(['run', '-f', '-', '--timeout', '3'], JSON.stringify(manifest));
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /app is not ready \(running, and passing its readinessProbe/);
  t.is((await node.cli(['rm', '-f', 'never'])).exitCode, 0);
});

test.serial('readiness tcpSocket: not ready until the port accepts, with the dial error as the reason', async (t) => {
  // Nothing declared in ports: without the probe it would be ready at once.
  const app = { name: 'app', command: ['node', '-e', "setTimeout(()=>require('net').createServer().listen(9090),2500)"], readinessProbe: { tcpSocket: { port: 9090 }, ...fast } };
  removedAfter(t, 'tcp');
  const created = await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'tcp' }, spec: { terminationGracePeriodSeconds: 1, containers: [app] } });
  const failing = await waitFor(async () => (await events('tcp')).find((e) => e.reason === 'Unhealthy'), 'a failed tcp probe');
  t.is(failing.message, `Readiness probe failed: dial tcp ${created.ip}:9090: connect: connection refused`);
  await waitFor(async () => (await get('tcp')).containers[0]!.ready, 'ready once it listens');
  t.is((await node.cli(['rm', '-f', 'tcp'])).exitCode, 0);
});

test.serial('liveness exec failing: Unhealthy on each failure, then Killing, restart count 1 and a new pid', async (t) => {
  const app = { name: 'app', command: ['sleep', 'infinity'], livenessProbe: { exec: { command: ['test', '-e', flag('live')] }, periodSeconds: 1, failureThreshold: 2 } };
  removedAfter(t, 'live');
  const created = await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'live' }, spec: { terminationGracePeriodSeconds: 1, containers: [app] } });
  const restarted = await waitFor(async () => {
    const c = (await get('live')).containers[0]!;
    return c.restartCount >= 1 && c.state === 'Running' && c;
  }, 'a restart after the liveness probe failed');
  t.not(restarted.pid, created.containers[0]!.pid, 'a new process');
  const evs = await events('live');
  const firstKill = evs.findIndex((e) => e.reason === 'Killing');
  t.true(firstKill > 0);
  t.is(evs[firstKill]!.message, 'Container app failed liveness probe, will be restarted');
  const before = evs.slice(0, firstKill).filter((e) => e.reason === 'Unhealthy');
  t.is(before.length, 2, 'one Unhealthy per failure, failureThreshold of them');
  t.true(before.every((e) => e.message.startsWith('Liveness probe failed: ') && e.container === 'app'));
  t.like(restarted.lastState, { signal: 'SIGTERM' });
  t.is((await node.cli(['rm', '-f', 'live'])).exitCode, 0);
});

test.serial('a startup probe holds the liveness probe back until it passes', async (t) => {
  const app = { name: 'app', command: ['sleep', 'infinity'], startupProbe: { exec: { command: ['test', '-e', flag('slow')] }, periodSeconds: 1, failureThreshold: 30 }, livenessProbe: { exec: { command: ['false'] }, ...fast } };
  removedAfter(t, 'slow');
  await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'slow' }, spec: { terminationGracePeriodSeconds: 1, containers: [app] } });
  await waitFor(async () => (await events('slow')).filter((e) => e.reason === 'Unhealthy').length >= 3, 'three failed startup probes');
  const early = await events('slow');
  t.true(early.filter((e) => e.reason === 'Unhealthy').every((e) => e.message.startsWith('Startup probe failed: ')), 'no liveness probe yet');
  t.is((await get('slow')).containers[0]!.restartCount, 0);
  t.false((await get('slow')).containers[0]!.ready, 'not ready before it has started');
  await sh('slow', `touch ${flag('slow')}`);
  await waitFor(async () => (await get('slow')).containers[0]!.restartCount >= 1, 'the liveness probe to fail once started');
  const evs = await events('slow');
  t.true(evs.some((e) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness probe failed: ')));
  t.true(evs.some((e) => e.reason === 'Killing' && e.message === 'Container app failed liveness probe, will be restarted'));
  t.is((await node.cli(['rm', '-f', 'slow'])).exitCode, 0);
});

test.serial('liveness with restartPolicy Never: killed and left terminated', async (t) => {
  const app = { name: 'app', command: ['sleep', 'infinity'], livenessProbe: { exec: { command: ['false'] }, ...fast } };
  removedAfter(t, 'once');
  await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'once' }, spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [app] } });
  await waitFor(async () => (await get('once')).containers[0]!.state === 'Terminated', 'the container to be killed');
  await new Promise((r) => setTimeout(r, 1500)); // a restart would have come by now
  const c = (await get('once')).containers[0]!;
  t.like(c, { state: 'Terminated', restartCount: 0, signal: 'SIGTERM' });
  t.true((await events('once')).some((e) => e.reason === 'Killing'));
  t.is((await node.cli(['rm', '-f', 'once'])).exitCode, 0);
});

test.serial('an image container: exec probes run inside its own filesystem (runc exec)', async (t) => {
  removedAfter(t, 'img');
  const app = { name: 'app', image: 'busybox', command: ['sleep', '3600'], readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, ...fast }, livenessProbe: { exec: { command: ['sh', '-c', 'test ! -e /tmp/die'] }, ...fast } };
  const created = await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'img' }, spec: { terminationGracePeriodSeconds: 1, containers: [app] } });
  const failing = await waitFor(async () => (await events('img')).find((e) => e.reason === 'Unhealthy'), 'a failed readiness probe');
  t.is(failing.message, "Readiness probe failed: cat: can't open '/tmp/ready': No such file or directory", "busybox's own words: it ran in the container");
  t.false((await get('img')).containers[0]!.ready);
  t.is((await node.cli(['exec', 'img', '--', 'touch', '/tmp/ready'])).exitCode, 0);
  await waitFor(async () => (await get('img')).containers[0]!.ready, 'ready once the file is there');
  t.is((await node.cli(['exec', 'img', '--', 'touch', '/tmp/die'])).exitCode, 0);
  const restarted = await waitFor(async () => {
    const c = (await get('img')).containers[0]!;
    return c.restartCount >= 1 && c.state === 'Running' && c;
  }, 'a restart after the liveness probe failed');
  t.not(restarted.pid, created.containers[0]!.pid);
  t.true((await events('img')).some((e) => e.reason === 'Killing' && e.message === 'Container app failed liveness probe, will be restarted'));
  t.is((await node.cli(['rm', '-f', 'img'])).exitCode, 0);
});

test.serial('probes go on after a sandbox recreation and after a daemon restart (live restore)', async (t) => {
  const manifest = { metadata: { name: 'kept' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ ...server('kept'), readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, ...fast } }] } };
  await node.api.request<PodRecord>('POST', '/pods', manifest);
  await sh('kept', `touch ${flag('kept')}`);
  await waitFor(async () => (await get('kept')).containers[0]!.ready, 'ready');
  t.is((await node.cli(['kill', 'kept', '--sandbox'])).exitCode, 0);
  // A new run in a new sandbox: not ready until its own probe passes (the flag is still there).
  const again = await waitFor(async () => {
    const r = await get('kept');
    return r.sandbox?.attempt === 1 && r.containers[0]!.restartCount === 1 && r.containers[0]!.ready && r;
  }, 'the recreated pod to be ready again');
  t.is(again.phase, 'Running');
  node = await restartTestNode(node);
  t.true((await get('kept')).containers[0]!.ready, 'the restored record keeps its readiness');
  await sh('kept', `rm ${flag('kept')}`);
  await waitFor(async () => !(await get('kept')).containers[0]!.ready, 'the new daemon to probe it');
  const after = await events('kept');
  t.true(after.some((e) => e.reason === 'Unhealthy' && e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 500'));
  t.is((await node.cli(['rm', '-f', 'kept'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
