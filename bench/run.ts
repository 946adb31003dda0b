// `npm run bench`: pod creation, `minipod ps`, live restore, recovery, load, image containers and
// the pod network, in a node namespace of its own. `npm run bench -- --peers` also measures, in
// the same node and minutes, each figure's floor and peers (floor C, the CNI plugins, podman,
// `node -e 0`) and ends with one table of ratios (bench/peers.ts). `npm run bench -- --scale`
// runs bench/scale.ts alone: 1000 pods on one node.
// Speed is reported here, never asserted in a test.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ApiClient } from '../lib/api/client.js';
import type { Stats } from '../lib/api/protocol.js';
import { startNode, stopNode } from '../lib/node/node-namespace.js';
import { OCI_RUNTIMES } from '../lib/runtime/oci-runtimes.js';
import type { PodRecord } from '../lib/pod/types.js';
import { WIRING_STEPS } from '../lib/pod/sandbox-run.js';
import { nodeNothing, timeProcess } from './baseline.js';
import { floorLines, runFloor } from './floor.js';
import { benchImages } from './images.js';
import { benchLoad } from './load.js';
import { benchRemoval } from './removal.js';
import { benchCluster } from './cluster.js';
import { benchNet } from './net.js';
import { benchRecovery } from './recovery.js';
import { benchRestore } from './restore.js';
import { median, PeerTable, phaseMedians } from './peers.js';
import { benchCliStart, benchRestartStart } from './start.js';
import { benchScale } from './scale.js';
import { summary } from './stats.js';

const CLI = fileURLToPath(new URL('../../bin/minipod.js', import.meta.url));
const PODS = Number(process.env.BENCH_PODS ?? 40);
const PS_PODS = 50;
const PS_RUNS = 15;
const KILLS = Number(process.env.BENCH_KILLS ?? 40);
const RESTARTS = 5;
const ADOPTED_KILLS = 20;
const FLOOR_RUNS = Number(process.env.BENCH_FLOOR_RUNS ?? 40);

const options = process.argv.slice(2);
const unknown = options.find((o) => o !== '--peers' && o !== '--scale');
if (unknown) {
  console.error(`npm run bench: unknown option "${unknown}": the options are --peers (floors and peers measured in the same run, then one table of ratios) and --scale (1000 pods on one node, alone)`);
  process.exit(2);
}
const PEERS = options.includes('--peers');
const loadAtStart = os.loadavg()[0]!;
const table = new PeerTable();
const MiB = (bytes: number) => bytes / 1048576;

if (process.getuid?.() !== 0) {
  console.error('npm run bench: needs root (it builds real sandboxes in a private node namespace): sudo npm run bench');
  process.exit(1);
}

// --scale: bench/scale.ts alone (minutes: SCALE_PODS pods, 1000 by default), not the rest.
if (options.includes('--scale')) {
  await benchScale();
  process.exit(0);
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
  const phases: Record<string, number>[] = [];
  const before = await api.request<Stats>('GET', '/stats');
  for (let i = 0; i < PODS; i++) {
    const t0 = performance.now();
    const created = await api.request<PodRecord>('POST', '/pods', pod(`bench-${i}`));
    roundTrip.push(performance.now() - t0);
    sandbox.push(created.timings!.sandboxMs);
    apps.push(created.timings!.appsMs);
    phases.push(created.timings!.phases ?? {});
  }
  const after = await api.request<Stats>('GET', '/stats');
  console.log(summary('create: API call → sandbox Running, network wired', sandbox));
  console.log(summary('create: API call → all apps spawned', apps));
  console.log(summary('create: client round trip (POST → 201)', roundTrip));
  console.log(`process spawns per pod: ${((after.spawns - before.spawns) / PODS).toFixed(2)} (the pause holder + one shim per app, whose child execs cgexec, nsenter and the app; host-side ip work goes to a long-lived ip -batch)`);

  const floor = PEERS ? await runFloor(node, FLOOR_RUNS) : undefined;
  if (floor) {
    const medians = phaseMedians(phases);
    const line = (p: { phase: string; median: number }) => `    ${p.phase.padEnd(44)} ${p.median.toFixed(2).padStart(7)} ms`;
    console.log('\nwhere a create\'s time goes (each step\'s median, timings.phases; steps side by side overlap):');
    console.log('  until the sandbox is wired (the figure above): "allocate IP" beside "start pause holder" → "create veth" → "configure eth0"');
    for (const p of medians.filter((m) => WIRING_STEPS.includes(m.phase))) console.log(line(p));
    console.log('  after it is wired, before the apps start, side by side (the name bound once reserved):');
    for (const p of medians.filter((m) => !WIRING_STEPS.includes(m.phase))) console.log(line(p));
    console.log(floorLines(floor).join('\n'));
    table.add('sandbox created, network wired (API call → wired, in the daemon)', 'ms', median(sandbox), [
      { name: 'floor C', value: median(floor.create) },
      { name: 'CNI bridge: holder + ADD', value: floor.cniMissing ? undefined : median(floor.cniAdd), why: floor.cniMissing },
    ]);
  }

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
  const nothing = PEERS ? await nodeNothing(PS_RUNS) : [];
  if (PEERS) {
    const version = await timeProcess([process.execPath, CLI, '--version'], PS_RUNS);
    console.log(summary('node -e 0 (whole process)', nothing));
    console.log(summary('minipod --version (whole CLI process)', version));
    table.add(`minipod ps with ${PS_PODS} pods (whole process)`, 'ms', median(ps), [{ name: 'node -e 0', value: median(nothing) }]);
    table.add('minipod --version (whole process)', 'ms', median(version), [{ name: 'node -e 0', value: median(nothing) }]);
    table.add(`daemon memory with ${stats.pods} pods`, 'MiB', MiB(stats.rssBytes));
  }
  await benchCliStart(node); // --version and ps against node -e 0, taking turns
  const restored = await benchRestore(node, api, RESTARTS, ADOPTED_KILLS);
  node = restored.node;
  if (PEERS) table.add(`node restart with ${PS_PODS} pods kept: new daemon answering`, 'ms', median(restored.restartMs), [{ name: 'node -e 0', value: median(nothing) }]);
  const whole = await benchRestartStart(node, api, 7);
  if (PEERS) table.add(`node restart with ${PS_PODS} pods kept, whole process`, 'ms', whole.median, [{ name: 'node -e 0, paired', value: whole.floor, pairedRatio: whole.ratio }]);

  const removal: number[] = [];
  for (let i = 0; i < PS_PODS; i++) {
    const t0 = performance.now();
    await api.request('DELETE', `/pods/bench-${i}?force=true`);
    removal.push(performance.now() - t0);
  }
  console.log(summary('rm -f of a running pod (API round trip: answered)', removal));
  if (floor) {
    table.add('rm -f of a running pod (API round trip: answered)', 'ms', median(removal), [
      { name: 'floor C: SIGKILL', value: median(floor.kill) },
      { name: 'floor C: SIGKILL → veth gone', value: median(floor.vethgone) },
      { name: 'CNI bridge: DEL', value: floor.cniMissing ? undefined : median(floor.cniDel), why: floor.cniMissing },
    ]);
  }

  const recovery = await benchRecovery(node, api, KILLS);
  if (floor) table.add('recovery: SIGKILL → new sandbox wired', 'ms', median(recovery.wiredMs), [{ name: 'floor C', value: median(floor.recover) }]);
  const load = await benchLoad(api);
  const background = await benchRemoval(api);
  if (floor) {
    table.add('rm -f of a running pod: teardown done (background)', 'ms', median(background.done), [{ name: 'floor C: SIGKILL → veth gone', value: median(floor.vethgone) }]);
  }
  if (PEERS) {
    table.add('rm -f of a running pod: answered', 'ms', median(background.answered), [{ name: 'API round trip (GET /stats)', value: median(background.floor) }]);
    table.add('100 pods removed concurrently (teardown done)', 's', background.doneMs / 1000, [{ name: 'minipod: 100 created concurrently', value: background.createMs / 1000 }]);
  }
  if (PEERS) {
    table.add('100 pods removed concurrently (answered)', 's', load.removeMs / 1000, [{ name: 'minipod: 100 created concurrently', value: load.createMs / 1000 }]);
    table.add('daemon memory with 200 pods', 'MiB', MiB(load.rss200Bytes));
  }
  const images = await benchImages(api);
  if (PEERS) {
    for (const runtime of OCI_RUNTIMES) {
      table.add(`image pod, one busybox container under ${runtime} (POST → running)`, 'ms', median(images.minipod[runtime]), [{ name: `podman pod create + run -d`, value: images.podman && median(images.podman[runtime]), why: images.podmanWhy }]);
    }
  }
  const net = await benchNet(node, api);
  if (PEERS) table.add('hostPort published (the daemon\'s step)', 'ms', median(net.publish), [{ name: 'CNI portmap ADD', value: net.portmapAdd && median(net.portmapAdd), why: net.portmapWhy }]);
  await benchCluster();
  if (PEERS) {
    const [one, five] = os.loadavg();
    console.log(`\nminipod and its floors and peers, measured above in this run (load average ${loadAtStart.toFixed(1)} at its start, ${one!.toFixed(1)} now, ${five!.toFixed(1)} over the last 5 minutes):\n`);
    console.log(table.format());
  }
} finally {
  await stopNode(dir);
  await rm(dir, { recursive: true, force: true });
}
