// Live restore: how long a daemon restart takes with pods running (they keep running throughout),
// and how fast a re-adopted holder's death is heard — through pidwatch, not a child's exit event.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../lib/api/client.js';
import { nodePaths } from '../lib/node-paths.js';
import { restartNode, type NodeInfo } from '../lib/node/node-namespace.js';
import type { PodRecord } from '../lib/pod/types.js';
import { summary } from './stats.js';

const now = () => performance.timeOrigin + performance.now();

/**
 * Until the node's spare daemon waits on its socket (node/spare-daemon.ts), and 200 ms more: a
 * restart is timed with the spare a person's restart finds, and neither figure with a spare still
 * loading beside it (bounded: none may come, MINIPOD_SPARE_DAEMON=0).
 */
export async function spareWaits(dir: string): Promise<void> {
  const { spareSocket } = nodePaths(dir);
  for (let i = 0; i < 300 && !existsSync(spareSocket); i++) await sleep(10);
  await sleep(200);
}

/** The node after the restarts, and each restart's time (ms). */
export async function benchRestore(node: NodeInfo, api: ApiClient, restarts: number, kills: number): Promise<{ node: NodeInfo; restartMs: number[] }> {
  const { pods } = await api.request<{ pods: PodRecord[] }>('GET', '/pods');
  const restart: number[] = [];
  for (let i = 0; i < restarts; i++) {
    await spareWaits(node.dir);
    const t0 = performance.now();
    node = await restartNode(node.dir);
    restart.push(performance.now() - t0);
  }
  const after = (await api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods;
  const same = after.filter((p) => {
    const was = pods.find((b) => b.name === p.name);
    return was && p.sandbox?.pid === was.sandbox?.pid && p.containers.every((c, j) => c.pid === was.containers[j]?.pid);
  }).length;

  // Each kill lands on a holder the current daemon adopted (the new holder after a recovery is
  // its child, so every sample is a different pod).
  const detect: number[] = [];
  const wired: number[] = [];
  for (const victim of after.slice(0, kills)) {
    await new Promise((r) => setTimeout(r, 200));
    const killedAt = now();
    process.kill(victim.sandbox!.pid, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    let p: PodRecord;
    for (;;) {
      p = await api.request<PodRecord>('GET', `/pods/${victim.name}`);
      if (p.phase === 'Running' && p.sandbox!.attempt === victim.sandbox!.attempt + 1) break;
      if (Date.now() > deadline) throw new Error(`${victim.name} not recovered within 30 s: ${p.phase}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    detect.push(p.lastRecovery!.detectedAt - killedAt);
    wired.push(p.lastRecovery!.wiredAt - killedAt);
  }
  console.log(`\nlive restore: \`minipod node restart\` with ${pods.length} pods running, ${restarts} times; ${same}/${pods.length} pods kept every pid`);
  console.log(summary('restart: SIGTERM → new daemon answering', restart));
  console.log(summary('adopted holder: SIGKILL → daemon told (pidwatch)', detect));
  console.log(summary('adopted holder: SIGKILL → new sandbox wired', wired));
  return { node, restartMs: restart };
}
