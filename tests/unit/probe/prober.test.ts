// The prober on fakes (no process, no network): exec probes answered by a fake runtime, what the
// workers do with the answers, and that they follow what runs.
import test, { type ExecutionContext } from 'ava';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { probeSchema } from '../../../lib/manifest/probes.js';
import { newLivePod, type LivePod, type PodContext } from '../../../lib/pod/live.js';
import { PodRegistry } from '../../../lib/pod/registry.js';
import { Prober } from '../../../lib/probe/prober.js';
import { validRecord } from '../../helpers/record.js';
import { waitFor } from '../../helpers/wait.js';

interface Fake {
  prober: Prober;
  live: LivePod;
  events: string[];
  /** argv of each exec, in order. */
  execs: string[][];
  /** graceMs of each stop the prober asked for. */
  stops: number[];
}

/** A pod whose app runs, with these probes; `exit` says how each exec'd command ends. */
function probed(t: ExecutionContext, probes: Record<string, unknown>, exit: (argv: string[]) => number): Fake {
  const fake = { events: [] as string[], execs: [] as string[][], stops: [] as number[] } as Fake;
  const runtime = {
    exec: async ({ argv }: { argv: string[] }) => {
      fake.execs.push(argv);
      const proc = Object.assign(new EventEmitter(), { pid: 4242, exitCode: null as number | null, signalCode: null, stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() });
      setImmediate(() => {
        proc.exitCode = exit(argv);
        proc.emit('exit', proc.exitCode, null);
      });
      return { proc };
    },
    stop: async (_proc: unknown, graceMs: number) => void fake.stops.push(graceMs),
  };
  const ctx = {
    node: { name: 'node-1', cgroups: { wrap: (_uid: string, argv: string[]) => argv } },
    runtime,
    store: { persist: async () => true },
    events: { record: (_r: unknown, reason: string, message: string) => void fake.events.push(`${reason}: ${message}`) },
  } as unknown as PodContext;
  const record = validRecord('/state');
  record.containers[0]!.ready = false;
  record.containers[0]!.startedAt = new Date().toISOString();
  Object.assign(record.manifest.spec.containers[0]!, Object.fromEntries(Object.entries(probes).map(([k, v]) => [k, probeSchema.parse(v)])));
  fake.live = newLivePod(record);
  fake.live.apps.set('app', Object.assign(new EventEmitter(), { pid: 1240, exitCode: null, signalCode: null }));
  const pods = new PodRegistry();
  pods.add(fake.live);
  fake.prober = new Prober(ctx, pods);
  t.teardown(() => fake.prober.stop());
  return fake;
}

test('a readiness exec probe that passes makes the container ready', async (t) => {
  const f = probed(t, { readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } }, () => 0);
  f.prober.start();
  await waitFor(async () => f.live.record.containers[0]!.ready, 'ready', 5000);
  t.deepEqual(f.execs[0], ['true']);
  t.deepEqual(f.events, []);
});

test('a liveness probe failing failureThreshold times asks for a kill with the probe\'s grace period', async (t) => {
  const f = probed(t, { livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1, terminationGracePeriodSeconds: 2 } }, () => 1);
  f.prober.start();
  await waitFor(async () => f.stops.length > 0, 'a kill', 5000);
  t.deepEqual(f.stops, [2000]);
  t.deepEqual(f.events, ['Unhealthy: Liveness probe failed: command "false" exited with code 1', 'Killing: Container app failed liveness probe, will be restarted']);
});

test('a startup probe that has not passed holds the liveness probe back', async (t) => {
  const f = probed(t, { startupProbe: { exec: { command: ['starting'] }, periodSeconds: 1, failureThreshold: 10 }, livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 1 } }, () => 1);
  f.prober.start();
  await waitFor(async () => f.execs.length >= 2, 'two probes', 5000);
  t.true(f.execs.every((argv) => argv[0] === 'starting'), JSON.stringify(f.execs));
  t.deepEqual(f.stops, []);
});

test('a pod that is no longer Running is not probed', async (t) => {
  const f = probed(t, { readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } }, () => 0);
  f.live.record.phase = 'Stopped';
  f.prober.start();
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(f.execs, []);
});
