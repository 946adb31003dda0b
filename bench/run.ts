// `npm run bench`: pod creation, `minipod ps`, live restore, recovery, load, image containers and
// the pod network, in a node namespace of its own.
// Speed is reported here, never asserted in a test.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ApiClient } from '../lib/api/client.js';
import type { Stats } from '../lib/api/protocol.js';
import { startNode, stopNode } from '../lib/node/node-namespace.js';
import type { PodRecord } from '../lib/pod/types.js';
import { benchImages } from './images.js';
import { benchLoad } from './load.js';
import { benchCluster } from './cluster.js';
import { benchNet } from './net.js';
import { benchRecovery } from './recovery.js';
import { benchRestore } from './restore.js';
import { benchCliStart, benchRestartStart } from './start.js';
import { summary } from './stats.js';

const CLI = fileURLToPath(new URL('../../bin/minipod.js', import.meta.url));
const PODS = Number(process.env.BENCH_PODS ?? 40);
const PS_PODS = 50;
const PS_RUNS = 15;
const KILLS = Number(process.env.BENCH_KILLS ?? 40);
const RESTARTS = 5;
const ADOPTED_KILLS = 20;

if (process.getuid?.() !== 0) {
  console.error('npm run bench: needs root (it builds real sandboxes in a private node namespace): sudo npm run bench');
  process.exit(1);
}

const pod = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });

const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-bench-'));
try {
  let node = await startNode(dir);
  const api = new ApiClient(node.socket);
  console.log(`minipod bench: ${PODS} pods, one app each (sleep), created one after another; node namespace ${dir}`);
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}\n`);

  // Warm-up: the first pod pays for lazy module loading in the daemon.
  await api.request('POST', '/pods', pod('warmup'));
  await api.request('DELETE', '/pods/warmup?force=true');

  const sandbox: number[] = [];
  const apps: number[] = [];
  const roundTrip: number[] = [];
  const before = await api.request<Stats>('GET', '/stats');
  for (let i = 0; i < PODS; i++) {
    const t0 = performance.now();
    const created = await api.request<PodRecord>('POST', '/pods', pod(`bench-${i}`));
    roundTrip.push(performance.now() - t0);
    sandbox.push(created.timings!.sandboxMs);
    apps.push(created.timings!.appsMs);
  }
  const after = await api.request<Stats>('GET', '/stats');
  console.log(summary('create: API call → sandbox Running, network wired', sandbox));
  console.log(summary('create: API call → all apps spawned', apps));
  console.log(summary('create: client round trip (POST → 201)', roundTrip));
  console.log(`process spawns per pod: ${((after.spawns - before.spawns) / PODS).toFixed(2)} (the pause holder + one shim per app, whose child execs cgexec, nsenter and the app; host-side ip work goes to a long-lived ip -batch)`);

  for (let i = PODS; i < PS_PODS; i++) await api.request('POST', '/pods', pod(`bench-${i}`));
  const ps: number[] = [];
  for (let i = 0; i < PS_RUNS; i++) {
    const t0 = performance.now();
    await execa(process.execPath, [CLI, 'ps'], { env: { MINIPOD_SOCKET: node.socket } });
    ps.push(performance.now() - t0);
  }
  console.log(summary(`minipod ps with ${PS_PODS} pods (whole CLI process)`, ps));
  const stats = await api.request<Stats>('GET', '/stats');
  console.log(`daemon resident memory with ${stats.pods} pods: ${(stats.rssBytes / 1048576).toFixed(1)} MiB`);
  await benchCliStart(node);
  node = await benchRestore(node, api, RESTARTS, ADOPTED_KILLS);
  await benchRestartStart(node, api, 3);

  const removal: number[] = [];
  for (let i = 0; i < PS_PODS; i++) {
    const t0 = performance.now();
    await api.request('DELETE', `/pods/bench-${i}?force=true`);
    removal.push(performance.now() - t0);
  }
  console.log(summary('rm -f of a running pod (API round trip)', removal));

  await benchRecovery(node, api, KILLS);
  await benchLoad(api);
  await benchImages(api);
  await benchNet(node, api);
  await benchCluster();
} finally {
  await stopNode(dir);
  await rm(dir, { recursive: true, force: true });
}
