// Pod to pod across two nodes (issue 11: several nodes joined without NAT): a cluster of two in a
// temp dir, an iperf3 server pod on each node and a client on node 1; the path to node 2's pod
// (bridge → uplink → underlay bridge → uplink → bridge, routed, no NAT) and the one to node 1's
// own take turns, and their ratio is printed.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from '../lib/api/client.js';
import { startCluster, stopCluster } from '../lib/node/cluster.js';
import type { PodRecord } from '../lib/pod/types.js';
import { measurePaths, missingTools, pathLines, podEnd, ratioLine } from './path.js';

const server = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'iperf3', command: ['iperf3', '-s'], ports: [{ containerPort: 5201 }] }] } });
const client = { metadata: { name: 'client' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', command: ['sleep', 'infinity'] }] } };

export async function benchCluster(): Promise<void> {
  const missing = await missingTools();
  if (missing) return void console.log(`pod-to-pod across nodes: not measured (${missing})`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-bench-cluster-'));
  try {
    const [one, two] = (await startCluster(dir, 2)).map((n) => new ApiClient(n.socket));
    const near = await one!.request<PodRecord>('POST', '/pods', server('near'));
    const far = await two!.request<PodRecord>('POST', '/pods', server('far'));
    const from = await one!.request<PodRecord>('POST', '/pods', client);
    const [across, within] = await measurePaths([
      { label: `pod → pod, two nodes (${from.ip} → ${far.ip})`, client: podEnd(from), server: { ip: far.ip } },
      { label: `pod → pod, one node (${from.ip} → ${near.ip})`, client: podEnd(from), server: { ip: near.ip } },
    ]);
    for (const r of [across!, within!]) console.log(pathLines(r).join('\n'));
    console.log(ratioLine(across!, within!));
  } finally {
    await stopCluster(dir);
    await rm(dir, { recursive: true, force: true });
  }
}
