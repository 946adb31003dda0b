// Recovery latency: SIGKILL the pause holder, then time (a) the new sandbox wired, (b) every
// app respawned, (c) the pod answering TCP again from the node (a probe in the node namespace).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { ApiClient } from '../lib/api/client.js';
import { nodeExecArgv, type NodeInfo } from '../lib/node/node-namespace.js';
import type { PodRecord } from '../lib/pod/types.js';
import { summary } from './stats.js';

const PROBE = fileURLToPath(new URL('./probe.js', import.meta.url));
const now = () => performance.timeOrigin + performance.now();
const SETTLE_MS = 200;

/** Each recovery's SIGKILL → new sandbox wired (ms). */
export async function benchRecovery(node: NodeInfo, api: ApiClient, kills: number): Promise<{ wiredMs: number[] }> {
  const www = await mkdtemp(path.join(os.tmpdir(), 'minipod-bench-www-'));
  await writeFile(path.join(www, 'index.html'), 'ok\n');
  const manifest = {
    metadata: { name: 'victim' },
    spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'httpd', command: ['busybox', 'httpd', '-f', '-p', '80', '-h', www], ports: [{ containerPort: 80 }] }] },
  };
  let pod = await api.request<PodRecord>('POST', '/pods', manifest);
  await api.waitReady('victim', 10_000);
  const [file, ...args] = nodeExecArgv(node, [process.execPath, PROBE, pod.ip, '80']);
  const probe = execa(file!, args, { stdin: 'pipe', stdout: 'pipe', buffer: false, reject: false });
  const answers = createInterface({ input: probe.stdout! })[Symbol.asyncIterator]();

  const detect: number[] = [], wired: number[] = [], apps: number[] = [], answering: number[] = [];
  const phases = { stopAppsMs: [] as number[], teardownMs: [] as number[], sandboxMs: [] as number[], networkMs: [] as number[] };
  try {
    for (let i = 0; i < kills; i++) {
      // Kills 200 ms apart, not back to back: the daemon refills its spare holder right after a
      // recovery, and a kill landing on that spawn measures the refill, not a recovery.
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const attempt = pod.sandbox!.attempt;
      probe.stdin!.write('go\n');
      const killedAt = now();
      process.kill(pod.sandbox!.pid, 'SIGKILL');
      const answeredAt = Number((await answers.next()).value);
      const deadline = Date.now() + 30_000;
      for (;;) {
        pod = await api.request<PodRecord>('GET', '/pods/victim');
        if (pod.phase === 'Running' && pod.sandbox!.attempt === attempt + 1) break;
        if (Date.now() > deadline) throw new Error(`recovery ${attempt + 1} did not finish within 30 s: ${pod.phase} (${pod.message ?? ''})`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const t = pod.lastRecovery!;
      detect.push(t.detectedAt - killedAt);
      wired.push(t.wiredAt - killedAt);
      apps.push(t.appsStartedAt - killedAt);
      answering.push(answeredAt - killedAt);
      for (const k of Object.keys(phases) as (keyof typeof phases)[]) phases[k].push(t[k]);
      await api.waitReady('victim', 10_000);
    }
  } finally {
    probe.kill();
    await api.request('DELETE', '/pods/victim?force=true');
    await rm(www, { recursive: true, force: true });
  }
  console.log(`\nrecovery: SIGKILL of the pause holder of a pod running busybox httpd, ${kills} times, ${SETTLE_MS} ms apart`);
  console.log(summary('SIGKILL → daemon told (exit event)', detect));
  console.log(summary('SIGKILL → (a) new sandbox wired', wired));
  console.log(summary('SIGKILL → (b) every app respawned', apps));
  console.log(summary('SIGKILL → (c) pod answers TCP again (from the node)', answering));
  console.log(summary('  phase: stop apps in the old namespace', phases.stopAppsMs));
  console.log(summary('  phase: new holder, namespaces exist', phases.sandboxMs));
  console.log(summary('  phase: veth + eth0 address and route', phases.networkMs));
  console.log(summary('  phase: old veth removed (overlaps the above)', phases.teardownMs));
  return { wiredMs: wired };
}
