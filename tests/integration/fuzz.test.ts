// The API survives bad input: thousands of random and mutated requests and manifests, each
// answered with a 4xx (or a success for a mutant that happens to be valid); afterwards the daemon
// is healthy and, once the accidental pods are removed, the node is empty.
import net from 'node:net';
import http from 'node:http';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, startTestNode, type TestNode } from '../helpers/node.js';

let node: TestNode;

test.before(async () => {
  node = await startTestNode();
});
test.after.always(() => node?.dispose());

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

function raw(socketPath: string, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve) => {
    // Percent-encode only what an HTTP request line cannot carry (spaces, non-ASCII).
    path = path.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
    const req = http.request({ socketPath, method, path, headers: body === undefined ? {} : { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('close', () => resolve(res.complete ? (res.statusCode ?? 0) : -1)); // -1: cut off mid-body
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

test.serial(`3000 random and mutated requests (seed ${SEED}): only 2xx/4xx, the daemon stays healthy, nothing leaks`, async (t) => {
  const rand = prng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const junk = () => pick(['', '..', '../../etc/passwd', '%2e%2e%2f', 'A'.repeat(300), 'web', 'a b', '\u00e9', 'x'.repeat(64), '-x', '0', 'null', '%00', '💥']);
  const value = (): unknown => pick([null, true, 0, -1, 1e308, 'sleep infinity', junk(), [], {}, ['sleep', 'infinity'], [1, 2], { a: 1 }, 'Always', 'Rejoin']);
  const base = () => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `f${Math.floor(rand() * 30)}` },
    spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'a', command: ['sleep', 'infinity'], args: [], env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80 }] }] },
  });
  /** Change, delete or add one field somewhere in the object, a few times over. */
  const mutate = (o: any): unknown => {
    for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
      let target = o;
      const path: string[] = [];
      while (target && typeof target === 'object' && rand() < 0.7) {
        const keys = Object.keys(target);
        if (!keys.length) break;
        const k = pick(keys);
        if (typeof target[k] !== 'object' || target[k] === null) break;
        path.push(k);
        target = target[k];
      }
      if (!target || typeof target !== 'object') continue;
      const keys = Object.keys(target);
      const op = rand();
      if (op < 0.4 && keys.length) target[pick(keys)] = value();
      else if (op < 0.7 && keys.length) delete target[pick(keys)];
      else target[pick(['image', 'extra', '__proto__', 'constructor', 'name', 'command', 'hostNetwork'])] = value();
    }
    return o;
  };
  const statuses = new Map<number, number>();
  for (let i = 0; i < 3000; i++) {
    const kind = rand();
    let status: number;
    if (kind < 0.55) status = await raw(node.socket, 'POST', '/v1/pods', JSON.stringify(mutate(base())));
    else if (kind < 0.65) status = await raw(node.socket, 'POST', '/v1/pods', JSON.stringify(base()).slice(0, Math.floor(rand() * 200)));
    else if (kind < 0.75) status = await raw(node.socket, 'POST', '/v1/pods', JSON.stringify(value()));
    else {
      const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
      const path = pick(['/v1/pods', `/v1/pods/${encodeURIComponent(junk())}`, `/v1/pods/${junk()}/stop`, `/v1/pods/${junk()}/logs?container=${junk()}`, `/v1/pods/${junk()}/kill`, `/v1/events?pod=${junk()}`, `/${junk()}`, '/v1/', '/v1/pods?force=maybe']);
      status = await raw(node.socket, method, path, rand() < 0.5 ? JSON.stringify(value()) : undefined);
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  // Not HTTP at all: answered 400 and closed.
  const answer = await new Promise<string>((resolve) => {
    let got = '';
    const s = net.connect(node.socket, () => s.end(Buffer.from([0, 255, 13, 10, 13, 10, 1, 2, 3])));
    s.on('data', (d) => (got += d));
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(got));
    setTimeout(() => s.destroy(), 5000).unref();
  });
  t.regex(answer, /^HTTP\/1\.1 400 /);
  t.log([...statuses].map(([s, n]) => `${s}: ${n}`).join(', '));
  for (const s of statuses.keys()) t.true((s >= 200 && s < 300) || (s >= 400 && s < 500), `status ${s}: no 5xx, no dropped connection`);
  t.is(await raw(node.socket, 'GET', '/v1/health'), 200, 'the daemon is healthy');
  const { pods } = await node.api.request<{ pods: PodRecord[] }>('GET', '/pods');
  // Valid mutants make whole pods (a random stop request may have stopped one): never half-made.
  for (const p of pods) t.true(p.phase === 'Running' || p.phase === 'Stopped', `${p.name} is ${p.phase}`);
  if (pods.length) t.is((await node.cli(['rm', '-f', ...pods.map((p) => p.name)])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
