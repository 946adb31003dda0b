// Start-up: how long a whole CLI process takes (`minipod --version`, `minipod ps` with the node's
// pods) and a `minipod node restart` with them (until the new daemon answers, every pod
// re-adopted), each run in turn with `node -e 0`, the floor of any Node process on this machine,
// so that the ratio holds while the machine's speed drifts. Standalone: node dist/bench/start.js.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApiClient } from '../lib/api/client.js';
import type { NodeInfo } from '../lib/node/node-namespace.js';
import { nodePaths } from '../lib/node-paths.js';
import type { PodRecord } from '../lib/pod/types.js';
import { spareWaits } from './restore.js';
import { percentile } from './stats.js';

// BENCH_CLI: another build's bin/minipod.js, for a before/after in one run.
const CLI = process.env.BENCH_CLI ?? fileURLToPath(new URL('../../bin/minipod.js', import.meta.url));
/** The full CLI (yargs), which bin/minipod.js hands every line but --version and the listings: a
 * `ps` through it is what every other verb pays to start. */
const FULL_CLI = path.join(path.dirname(CLI), '../dist/cli/minipod.js');
const exec = promisify(execFile);

/** Wall ms of one whole process. */
async function timed(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  await exec(argv[0]!, argv.slice(1), { env: { ...process.env, ...env } });
  return performance.now() - t0;
}

/** What paired prints: the medians of A and of the floor, and the median of the pairs' ratios. */
export interface Paired {
  median: number;
  floor: number;
  ratio: number;
}

/** Awaited before each timing of A and of the floor. */
interface Settle {
  beforeA(): Promise<void>;
  beforeFloor(): Promise<void>;
}

/** A and the floor in turn, runs times: the medians and the median of the pairs' ratios. */
async function paired(label: string, a: string[], runs: number, env: NodeJS.ProcessEnv = {}, settle: Settle = { beforeA: async () => {}, beforeFloor: async () => {} }): Promise<Paired> {
  const floor = [process.execPath, '-e', '0'];
  await timed(a, env); // warm-up: the page cache, not the figure
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    await settle.beforeA();
    as.push(await timed(a, env));
    await settle.beforeFloor();
    bs.push(await timed(floor, env));
    ratios.push(as.at(-1)! / bs.at(-1)!);
  }
  const ratio = percentile(ratios, 50);
  const over = percentile(as, 50) - percentile(bs, 50);
  console.log(`${label.padEnd(48)} median ${percentile(as, 50).toFixed(1).padStart(7)} ms   node -e 0 ${percentile(bs, 50).toFixed(1).padStart(6)} ms   ${ratio.toFixed(2)}× the floor, +${over.toFixed(1)} ms   (n=${runs})`);
  return { median: percentile(as, 50), floor: percentile(bs, 50), ratio };
}

/** The CLI figures against the floor, with the node's pods (give it the ones to list). */
export async function benchCliStart(node: NodeInfo, runs = 15): Promise<void> {
  const pods = (await new ApiClient(node.socket).request<{ pods: PodRecord[] }>('GET', '/pods')).pods.length;
  console.log(`\nstart-up, whole processes, each run in turn with \`node -e 0\` (load average ${os.loadavg()[0]!.toFixed(2)})`);
  await paired('minipod --version', [process.execPath, CLI, '--version'], runs);
  await paired(`minipod ps with ${pods} pods`, [process.execPath, CLI, 'ps'], runs, { MINIPOD_SOCKET: node.socket });
  await paired(`minipod ps with ${pods} pods, through yargs`, [process.execPath, FULL_CLI, 'ps'], runs, { MINIPOD_SOCKET: node.socket });
}

/**
 * `minipod node restart` (whole process) against the floor, the node's spare daemon taking the
 * line, then without spares (MINIPOD_SPARE_DAEMON=0: a new daemon process each time); every pid
 * must be kept. The first figure is the one the target is on.
 */
export async function benchRestartStart(node: NodeInfo, api: ApiClient, runs = 5): Promise<Paired> {
  const before = (await api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods;
  const restart = [process.execPath, CLI, 'node', 'restart', '--dir', node.dir];
  // Which restarts the spare daemon served (the daemon after it is the spare before it).
  const p = nodePaths(node.dir);
  const pidIn = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split(' ')[0];
  let spare: string | undefined;
  let served = 0;
  const settle = {
    beforeA: async () => {
      await spareWaits(node.dir);
      spare = await pidIn(p.spareFile);
    },
    beforeFloor: async () => {
      if (spare && spare === (await pidIn(p.pidFile))) served++;
      await spareWaits(node.dir);
    },
  };
  const timing = await paired(`minipod node restart with ${before.length} pods`, restart, runs, {}, settle);
  console.log(`  ${served} of those ${runs} restarts ran the node's spare daemon`);
  await paired(`  the same, with no spare daemon (a new process)`, restart, runs, { MINIPOD_SPARE_DAEMON: '0' });
  await timed(restart, {}); // a spare again, for what comes next
  const after = (await api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods;
  const kept = after.filter((p) => {
    const was = before.find((b) => b.name === p.name);
    return was && p.phase === 'Running' && p.sandbox?.pid === was.sandbox?.pid && p.containers.every((c, j) => c.pid === was.containers[j]?.pid);
  }).length;
  console.log(`${kept}/${before.length} pods re-adopted with every pid kept`);
  return timing;
}

// Standalone: a node of its own with PODS pods.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { startNode, stopNode } = await import('../lib/node/node-namespace.js');
  const pods = Number(process.env.BENCH_PODS ?? 50);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-bench-'));
  try {
    const node = await startNode(dir);
    const api = new ApiClient(node.socket);
    const spec = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });
    for (let i = 0; i < pods; i++) await api.request('POST', '/pods', spec(`start-${i}`));
    await benchCliStart(node, Number(process.env.BENCH_RUNS ?? 15));
    await benchRestartStart(node, api, Number(process.env.BENCH_RESTARTS ?? 5));
  } finally {
    await stopNode(dir);
    await rm(dir, { recursive: true, force: true });
  }
}
