// Scale (`npm run bench -- --scale`, or standalone: node dist/bench/scale.js): one node on a /16,
// SCALE_PODS pods (1000 by default) of one `sleep` app created 20 at a time; the daemon's memory at
// 0, 50, 100, 200, then every 200 pods (its slope per pod), and `minipod ps`, `inspect ONE` and
// `events --json | head` (whole CLI processes) timed at 50 pods and at the end, as a ratio.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ApiClient } from '../lib/api/client.js';
import type { Stats } from '../lib/api/protocol.js';
import { startNode, stopNode, type NodeInfo } from '../lib/node/node-namespace.js';
import { percentile } from './stats.js';

const CLI = fileURLToPath(new URL('../../bin/minipod.js', import.meta.url));
const TOTAL = Number(process.env.SCALE_PODS ?? 1000);
const CONCURRENCY = 20;
const RUNS = 5;
const MiB = (bytes: number) => bytes / 1048576;

const pod = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });

/** Run work on every item, at most `width` at a time. */
async function pooled<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** Median wall ms of a whole process (argv), its output read to the end. */
async function medianMs(argv: string[], env: Record<string, string>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await execa(argv[0]!, argv.slice(1), { env });
    times.push(performance.now() - t0);
  }
  return percentile(times, 50);
}

async function cliTimes(node: NodeInfo): Promise<Record<string, number>> {
  const env = { MINIPOD_SOCKET: node.socket };
  return {
    'node -e 0': await medianMs([process.execPath, '-e', '0'], {}),
    'minipod ps': await medianMs([process.execPath, CLI, 'ps'], env),
    'minipod inspect scale-0': await medianMs([process.execPath, CLI, 'inspect', 'scale-0'], env),
    // The first lines, then the pipe closes.
    'minipod events --json | head': await medianMs(['sh', '-c', '"$0" "$1" events --json | head -n 5 >/dev/null', process.execPath, CLI], env),
  };
}

export async function benchScale(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-scale-'));
  try {
    const node = await startNode(dir, { subnet: '10.90.0.0/16' });
    const api = new ApiClient(node.socket);
    // Warm-up: the first pod pays for the daemon's lazily loaded modules; the 0-pod figure is after it.
    await api.request('POST', '/pods', pod('warmup'));
    await api.request('DELETE', '/pods/warmup?force=true');
    const marks = [0, 50, 100, 200, ...Array.from({ length: Math.floor(TOTAL / 200) }, (_, i) => (i + 2) * 200)].filter((n, i, all) => n <= TOTAL && all.indexOf(n) === i);
    if (marks.at(-1) !== TOTAL) marks.push(TOTAL);
    console.log(`\nscale: ${TOTAL} pods of one sleep app on a /16, created ${CONCURRENCY} at a time (load average ${os.loadavg()[0]!.toFixed(1)})`);
    console.log('  pods   rss MiB  heapUsed  external  events held  create s');
    let made = 0;
    const mem: { pods: number; rss: number }[] = [];
    let at50: Record<string, number> | undefined;
    for (const mark of marks) {
      const t0 = performance.now();
      await pooled(Array.from({ length: mark - made }, (_, i) => `scale-${made + i}`), CONCURRENCY, (n) => api.request('POST', '/pods', pod(n)));
      const createS = (performance.now() - t0) / 1000;
      made = mark;
      const s = await api.request<Stats>('GET', '/stats');
      mem.push({ pods: s.pods, rss: MiB(s.rssBytes) });
      console.log(`  ${String(s.pods).padStart(4)}  ${MiB(s.rssBytes).toFixed(1).padStart(8)}  ${MiB(s.heapUsedBytes).toFixed(1).padStart(8)}  ${MiB(s.externalBytes).toFixed(1).padStart(8)}  ${String(s.events).padStart(11)}  ${createS.toFixed(1).padStart(8)}`);
      if (mark === 50) at50 = await cliTimes(node);
    }
    const [first, last] = [mem[0]!, mem.at(-1)!];
    console.log(`  memory per pod: ${((last.rss - first.rss) * 1024 / Math.max(1, last.pods - first.pods)).toFixed(0)} KiB (rss slope from ${first.pods} to ${last.pods} pods)`);
    const atEnd = await cliTimes(node);
    console.log(`  whole CLI processes, median of ${RUNS} (load average ${os.loadavg()[0]!.toFixed(1)}):`);
    for (const [what, ms] of Object.entries(atEnd)) {
      const before = at50?.[what];
      console.log(`    ${what.padEnd(30)} ${before === undefined ? '' : `${before.toFixed(0).padStart(5)} ms at 50 pods, `}${ms.toFixed(0).padStart(5)} ms at ${made}${before === undefined ? '' : ` (${(ms / before).toFixed(2)}×)`}`);
    }
    const t0 = performance.now();
    await pooled(Array.from({ length: made }, (_, i) => `scale-${i}`), CONCURRENCY, (n) => api.request('DELETE', `/pods/${n}?force=true`));
    const s = await api.request<Stats>('GET', '/stats');
    console.log(`  ${made} pods removed ${CONCURRENCY} at a time in ${((performance.now() - t0) / 1000).toFixed(1)} s; then rss ${MiB(s.rssBytes).toFixed(1)} MiB, heapUsed ${MiB(s.heapUsedBytes).toFixed(1)} MiB, ${s.events} events held`);
  } finally {
    await stopNode(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await benchScale();
