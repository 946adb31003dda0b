// Load: 100 pods created concurrently through the API, then removed concurrently (wall time);
// the daemon's resident memory with 200 pods running.
import type { ApiClient } from '../lib/api/client.js';
import type { Stats } from '../lib/api/protocol.js';

const pod = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });

/** Wall times of the 100 concurrent creations and removals (ms), and the daemon's memory with 200 pods (bytes). */
export async function benchLoad(api: ApiClient): Promise<{ createMs: number; removeMs: number; rss200Bytes: number }> {
  const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const t0 = performance.now();
  await Promise.all(names(100, 'load').map((n) => api.request('POST', '/pods', pod(n))));
  const createMs = performance.now() - t0;
  const t1 = performance.now();
  await Promise.all(names(100, 'load').map((n) => api.request('DELETE', `/pods/${n}?force=true`)));
  const removeMs = performance.now() - t1;
  console.log(`\nload: 100 pods created concurrently in ${(createMs / 1000).toFixed(2)} s, removed concurrently in ${(removeMs / 1000).toFixed(2)} s (wall time)`);
  for (const batch of [0, 1, 2, 3]) await Promise.all(names(50, `mem${batch}`).map((n) => api.request('POST', '/pods', pod(n))));
  const stats = await api.request<Stats>('GET', '/stats');
  console.log(`daemon resident memory with ${stats.pods} pods running: ${(stats.rssBytes / 1048576).toFixed(1)} MiB`);
  for (const batch of [0, 1, 2, 3]) await Promise.all(names(50, `mem${batch}`).map((n) => api.request('DELETE', `/pods/${n}?force=true`)));
  return { createMs, removeMs, rss200Bytes: stats.rssBytes };
}
