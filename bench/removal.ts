// Removal: `rm -f` is answered once the intent is on disk and the teardown goes on in the
// background (issue 13). Measured in one run: the API round trip of rm -f against the floor of
// any API call (GET /stats), the time until the teardown is done (the daemon's /stats says none
// is under way), and 100 concurrent removals against 100 concurrent creations.
import type { ApiClient } from '../lib/api/client.js';
import type { Stats } from '../lib/api/protocol.js';
import { percentile, summary } from './stats.js';

const pod = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });

async function teardownsDone(api: ApiClient): Promise<void> {
  while ((await api.request<Stats>('GET', '/stats')).removing) await new Promise((r) => setTimeout(r, 1));
}

export interface RemovalTimes {
  /** Per run (ms): GET /stats, `rm -f` answered, teardown done. */
  floor: number[];
  answered: number[];
  done: number[];
  /** Wall times (ms) of `concurrent` creations, then their removals answered and torn down. */
  createMs: number;
  answeredMs: number;
  doneMs: number;
}

export async function benchRemoval(api: ApiClient, runs = 20, concurrent = 100): Promise<RemovalTimes> {
  const floor: number[] = [];
  const answered: number[] = [];
  const done: number[] = [];
  for (let i = 0; i < runs; i++) {
    await api.request('POST', '/pods', pod(`rm-${i}`));
    let t0 = performance.now();
    await api.request('GET', '/stats');
    floor.push(performance.now() - t0);
    t0 = performance.now();
    await api.request('DELETE', `/pods/rm-${i}?force=true`);
    answered.push(performance.now() - t0);
    await teardownsDone(api);
    done.push(performance.now() - t0);
  }
  console.log(`\nremoval (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
  console.log(summary('floor: any API round trip (GET /stats)', floor));
  console.log(summary('rm -f of a running pod: answered', answered));
  console.log(summary('rm -f: teardown done (background)', done));
  console.log(`rm -f answered / floor: ${(percentile(answered, 50) / percentile(floor, 50)).toFixed(1)}×`);

  const names = Array.from({ length: concurrent }, (_, i) => `rmc-${i}`);
  let t0 = performance.now();
  await Promise.all(names.map((n) => api.request('POST', '/pods', pod(n))));
  const createMs = performance.now() - t0;
  t0 = performance.now();
  await Promise.all(names.map((n) => api.request('DELETE', `/pods/${n}?force=true`)));
  const answeredMs = performance.now() - t0;
  await teardownsDone(api);
  const doneMs = performance.now() - t0;
  console.log(`${concurrent} pods created concurrently ${(createMs / 1000).toFixed(2)} s; removed concurrently: answered ${(answeredMs / 1000).toFixed(2)} s, teardown done ${(doneMs / 1000).toFixed(2)} s (${(doneMs / createMs).toFixed(2)}× the creation)`);
  return { floor, answered, done, createMs, answeredMs, doneMs };
}
