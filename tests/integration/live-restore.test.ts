// Live restore (issue 4, point 1): SIGTERM leaves the pods running; the next daemon re-adopts
// every pod — pause and apps checked by pid *and* start time — supervises them as if it had
// started them, and still hears of a pause death at once. --stop-pods-on-exit stops them instead.
// The seed pod runs its images (re-adopted through runc's shim); the other pods are host processes,
// the nsenter path (an app's own workers and session kept).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import type { PodRecord } from '../../lib/pod/types.js';
import { parentOf } from '../../lib/process/identity.js';
import { alive, assertNodeEmpty, childrenOf, curl, leases, netnsOf, nodeLinks, nodeProcesses, processesIn, restartTestNode, SEED, sigterm, startTestNode, testNode, type TestNode } from '../helpers/node.js';
import { importSeedImages } from '../helpers/seed.js';
import { waitFor } from '../helpers/wait.js';

const sleeper = (name: string, restartPolicy = 'Always') => ({
  metadata: { name },
  spec: { restartPolicy, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] },
});

/** Every pid a pod's record names: its holder and its apps. */
const pidsOf = (p: PodRecord) => [p.sandbox!.pid, ...p.containers.map((c) => c.pid!)];

/** `minipod ps` without its AGE column, the one thing a restart may change. */
async function psWithoutAge(node: TestNode): Promise<string> {
  const r = await node.cli(['ps']);
  const lines = r.stdout.trimEnd().split('\n');
  const age = lines[0]!.indexOf('AGE');
  const ip = lines[0]!.indexOf('IP');
  return lines.map((l) => l.slice(0, age) + l.slice(ip)).join('\n');
}

async function inspect(node: TestNode, name: string): Promise<PodRecord> {
  return node.api.request<PodRecord>('GET', `/pods/${name}`);
}

/** `minipod events POD`, one line per event. */
async function events(node: TestNode, name: string): Promise<string[]> {
  return (await node.cli(['events', name])).stdout.split('\n');
}

test.serial('SIGTERM leaves every pod running; the next daemon re-adopts them and ps is the same but AGE', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  await importSeedImages(node);
  t.is((await node.cli(['run', '-f', SEED])).exitCode, 0);
  t.is((await node.cli(['run', 'other', '-c', 'sleeper=sleep 1000'])).exitCode, 0);
  // An app with children of its own (workers, one in a session of its own as dumb-init makes):
  // they are the app's, not strays.
  await node.api.request('POST', '/pods', { metadata: { name: 'workers' }, spec: { containers: [{ name: 'app', command: ['sh', '-c', 'sleep 1000 & setsid sleep 1001 & wait'] }] } });
  await node.api.waitReady('web', 10_000);
  const before = { web: await inspect(node, 'web'), other: await inspect(node, 'other') };
  const workersPid = (await inspect(node, 'workers')).containers[0]!.pid!;
  const workers = await waitFor(async () => {
    const kids = (await childrenOf(workersPid)).map((p) => p.pid);
    return kids.length === 2 && kids;
  }, 'the two workers');
  const ps = await psWithoutAge(node);

  await sigterm(node);
  for (const pid of [...pidsOf(before.web), ...pidsOf(before.other)]) t.true(alive(pid), `pid ${pid} outlives the daemon`);
  t.is((await leases(node)).length, 3, 'leases kept');
  t.is((await curl(node, `http://${before.web.ip}:8080/`)).exitCode, 0, 'the pod answers with no daemon');

  const oldDaemon = node.pid;
  node = await startTestNode({}, node.dir);
  t.not(node.pid, oldDaemon);
  t.is(await psWithoutAge(node), ps);
  for (const name of ['web', 'other'] as const) {
    const after = await inspect(node, name);
    const was = before[name];
    t.like(after, { phase: 'Running', ip: was.ip, mac: was.mac, sandbox: { pid: was.sandbox!.pid, netns: was.sandbox!.netns, attempt: 0, hostVeth: was.sandbox!.hostVeth } });
    t.deepEqual(
      after.containers.map((c) => [c.name, c.pid, c.netns, c.restartCount, c.state]),
      was.containers.map((c) => [c.name, c.pid, c.netns, c.restartCount, c.state]),
    );
    const restored = (await events(node, name)).find((e) => / Restored /.test(e));
    t.regex(restored ?? '', new RegExp(`re-adopted pause ${was.sandbox!.pid}, `), `${name}: a Restored event`);
  }
  // Adopted, not spawned: none of them is the new daemon's child.
  for (const pid of pidsOf(before.web)) t.not(await parentOf(pid), node.pid);
  t.is((await curl(node, `http://${before.web.ip}:80/`)).exitCode, 0);
  const exec = await node.cli(['exec', 'web', '--', 'hostname']);
  t.is(exec.stdout, 'web\n', 'exec works in an adopted sandbox');
  t.regex((await node.cli(['logs', 'web', '-c', 'bootcamp'])).stdout, /./, 'logs kept');

  for (const pid of [workersPid, ...workers]) t.true(alive(pid), `worker ${pid} kept`);
  t.like((await inspect(node, 'workers')).containers[0], { pid: workersPid, restartCount: 0 });
  t.false((await events(node, 'workers')).some((e) => /stray/.test(e)), 'no stray stopped');

  t.is((await node.cli(['rm', '-f', 'web', 'other', 'workers'])).exitCode, 0);
  for (const pid of [...pidsOf(before.web), ...pidsOf(before.other)]) t.false(alive(pid), `adopted pid ${pid} stopped by rm`);
  await assertNodeEmpty(t, node);
});

test.serial('after a re-adoption a pause death is heard at once and the sandbox is rebuilt; app exits follow the restart policy', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  await importSeedImages(node);
  t.is((await node.cli(['run', '-f', SEED])).exitCode, 0);
  await node.api.request('POST', '/pods', sleeper('always'));
  await node.api.request('POST', '/pods', sleeper('never', 'Never'));
  const web = await inspect(node, 'web');
  node = await restartTestNode(node);

  // The holder is not the new daemon's child: its death comes through pidwatch.
  t.is((await node.cli(['kill', 'web', '--sandbox'])).exitCode, 0);
  const rebuilt = await waitFor(async () => {
    const p = await inspect(node, 'web');
    return p.phase === 'Running' && p.sandbox!.attempt === 1 && p.containers.every((c) => c.state === 'Running') && p;
  }, 'web rebuilt');
  t.not(rebuilt.sandbox!.netns, web.sandbox!.netns);
  t.is(rebuilt.ip, web.ip);
  t.deepEqual(rebuilt.containers.map((c) => c.restartCount), [1, 1]);
  t.regex(rebuilt.lastRecovery!.cause, new RegExp(`pause ${web.sandbox!.pid} killed by SIGKILL`));
  for (const pid of pidsOf(web)) t.false(alive(pid), `old pid ${pid} is gone`);
  for (const c of rebuilt.containers) t.is(await netnsOf(c.pid!), rebuilt.sandbox!.netns);
  await node.api.waitReady('web', 10_000);
  t.is((await curl(node, `http://${web.ip}:8080/`)).exitCode, 0);

  // Adopted apps: Always restarts one that exits, Never leaves it Terminated (and, as it was the
  // pod's last, the pod is stopped, as kubelet kills a pod with nothing left to run).
  const always = await inspect(node, 'always');
  t.is((await node.cli(['kill', 'always', '-c', 'app'])).exitCode, 0);
  const restarted = await waitFor(async () => {
    const c = (await inspect(node, 'always')).containers[0]!;
    return c.state === 'Running' && c.restartCount === 1 && c;
  }, 'the adopted app to be restarted');
  t.not(restarted.pid, always.containers[0]!.pid);
  t.like(restarted.lastState, { reason: 'Error', exitCode: 137, signal: 'SIGKILL' }, 'the shim kept how the adopted app ended');
  t.is((await node.cli(['kill', 'never', '-c', 'app'])).exitCode, 0);
  const ended = await waitFor(async () => {
    const c = (await inspect(node, 'never')).containers[0]!;
    return c.state === 'Terminated' && c;
  }, 'the Never app to end');
  t.is(ended.restartCount, 0);
  const stopped = await waitFor(async () => {
    const p = await inspect(node, 'never');
    return p.phase === 'Stopped' && p;
  }, 'the ended pod stopped');
  t.like(stopped, { sandbox: null, ip: '' });
  t.like(stopped.containers[0], { state: 'Terminated', restartCount: 0, signal: 'SIGKILL' });

  t.is((await node.cli(['rm', '-f', 'web', 'always', 'never'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('what died while no daemon ran is recovered on start: a lost app is restarted, a lost holder rebuilt', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  const a = await node.api.request<PodRecord>('POST', '/pods', sleeper('a'));
  const b = await node.api.request<PodRecord>('POST', '/pods', sleeper('b'));
  const c = await node.api.request<PodRecord>('POST', '/pods', sleeper('c'));
  await sigterm(node);
  process.kill(a.containers[0]!.pid!, 'SIGKILL');
  process.kill(b.sandbox!.pid, 'SIGKILL');
  // c's app ended and was recorded so, but the daemon went before it restarted it.
  process.kill(c.containers[0]!.pid!, 'SIGKILL');
  const file = path.join(node.stateDir, 'pods', 'c.json');
  const record = JSON.parse(await readFile(file, 'utf8')) as PodRecord;
  Object.assign(record.containers[0]!, { state: 'Terminated', reason: 'Error', pid: null, exitCode: 1, finishedAt: new Date().toISOString() });
  await writeFile(file, JSON.stringify(record));
  await waitFor(async () => ![a.containers[0]!.pid!, b.sandbox!.pid, c.containers[0]!.pid!].some(alive), 'all three to die');

  node = await startTestNode({}, node.dir);
  const pa = await waitFor(async () => {
    const p = await inspect(node, 'a');
    return p.containers[0]!.state === 'Running' && p.containers[0]!.restartCount === 1 && p;
  }, 'a restarted');
  t.like(pa, { phase: 'Running', sandbox: { pid: a.sandbox!.pid, attempt: 0 } });
  t.like(pa.containers[0]!.lastState, { reason: 'Error', exitCode: 137, signal: 'SIGKILL' }, 'its shim kept how it ended');
  t.is(await netnsOf(pa.containers[0]!.pid!), a.sandbox!.netns, 'restarted in the adopted sandbox');
  const pb = await waitFor(async () => {
    const p = await inspect(node, 'b');
    return p.phase === 'Running' && p.sandbox!.attempt === 1 && p.containers[0]!.state === 'Running' && p;
  }, 'b rebuilt');
  t.is(pb.ip, b.ip);
  t.regex(pb.lastRecovery!.cause, /died while the daemon was down/);
  t.false(alive(b.containers[0]!.pid!), "b's old app was stopped with its dead sandbox");
  const pc = await waitFor(async () => {
    const p = await inspect(node, 'c');
    return p.containers[0]!.state === 'Running' && p.containers[0]!.restartCount === 1 && p;
  }, 'c restarted');
  t.is(pc.sandbox!.pid, c.sandbox!.pid, "c's sandbox kept");

  t.is((await node.cli(['rm', '-f', 'a', 'b', 'c'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('a container waiting in CrashLoopBackOff is restarted by the next daemon when its back-off ends', async (t) => {
  // A back-off long enough (3 s) that it cannot end before the daemon does: the restart must be
  // the next daemon's, from the restartAt it finds in the record.
  process.env.MINIPOD_BACKOFF_BASE_MS = '3000';
  let node = await startTestNode();
  delete process.env.MINIPOD_BACKOFF_BASE_MS;
  t.teardown(() => node.dispose());
  await node.api.request('POST', '/pods', { metadata: { name: 'crash' }, spec: { restartPolicy: 'Always', terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sh', '-c', 'sleep 0.2; exit 3'] }] } });
  const waiting = await waitFor(async () => {
    const c = (await inspect(node, 'crash')).containers[0]!;
    return c.reason === 'CrashLoopBackOff' && c;
  }, 'CrashLoopBackOff');
  await sigterm(node);
  t.like(JSON.parse(await readFile(path.join(node.stateDir, 'pods', 'crash.json'), 'utf8')).containers[0], { state: 'Waiting', restartCount: waiting.restartCount }, 'not restarted by the daemon that went');
  node = await startTestNode({}, node.dir);
  const c = await waitFor(async () => {
    const c = (await inspect(node, 'crash')).containers[0]!;
    return c.restartCount > waiting.restartCount && c;
  }, 'a restart after the back-off');
  t.is(c.lastState!.exitCode, 3, 'how it last ended is kept across the restart');
  t.is((await node.cli(['rm', '-f', 'crash'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('a reused pid is never taken for ours: a record naming another process adopts nothing and touches nothing', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  const p = await node.api.request<PodRecord>('POST', '/pods', sleeper('p'));
  await sigterm(node);
  // The app dies and "its" pid now belongs to an unrelated process (same pid, other start time).
  const stranger = execa('sleep', ['1000'], { reject: false });
  t.teardown(() => stranger.kill('SIGKILL'));
  process.kill(p.containers[0]!.pid!, 'SIGKILL');
  const file = path.join(node.stateDir, 'pods', 'p.json');
  const record = JSON.parse(await readFile(file, 'utf8')) as PodRecord;
  record.containers[0]!.pid = stranger.pid!;
  await writeFile(file, JSON.stringify(record));

  node = await startTestNode({}, node.dir);
  const after = await waitFor(async () => {
    const r = await inspect(node, 'p');
    return r.containers[0]!.state === 'Running' && r.containers[0]!.restartCount === 1 && r;
  }, 'the app restarted');
  t.not(after.containers[0]!.pid, stranger.pid);
  t.true(alive(stranger.pid!), 'the unrelated process is untouched');
  t.is((await node.cli(['rm', '-f', 'p'])).exitCode, 0);
  t.true(alive(stranger.pid!), 'rm does not touch it either');
  await assertNodeEmpty(t, node);
});

test.serial('minipod node restart keeps the node\'s own --bridge and --subnet, and refuses others while it has pods', async (t) => {
  const node = await startTestNode({ bridge: 'mpx1', subnet: '10.77.0.0/16' });
  t.teardown(() => node.dispose());
  const p = await node.api.request<PodRecord>('POST', '/pods', sleeper('p'));
  t.regex(p.ip, /^10\.77\./);
  const r = await node.cli(['node', 'restart', '--dir', node.dir]);
  t.is(r.exitCode, 0, r.stderr);
  const after = await inspect(node, 'p');
  t.like(after, { ip: p.ip, bridge: 'mpx1', sandbox: { pid: p.sandbox!.pid, attempt: 0 } });
  const q = await node.api.request<PodRecord>('POST', '/pods', sleeper('q'));
  t.regex(q.ip, /^10\.77\./, 'new pods still come from the node\'s subnet');
  t.false((await nodeLinks(node)).includes('minipod0'), 'no second bridge');
  // Another subnet or bridge under the pods' feet is refused, the old daemon still serving, node.json as it was.
  const options = await readFile(path.join(node.dir, 'node.json'), 'utf8');
  const daemon = await readFile(path.join(node.dir, 'daemon.pid'), 'utf8'); // "PID STARTTIME" of the daemon restarted above
  for (const [flag, value, now] of [['--subnet', '10.99.0.0/16', 'subnet 10.77.0.0/16'], ['--bridge', 'br9', 'bridge mpx1']] as const) {
    const refused = await node.cli(['node', 'restart', '--dir', node.dir, flag, value]);
    t.is(refused.exitCode, 1);
    t.is(refused.stderr.trim(), `minipod: ${flag} ${value}: the node in ${node.dir} has 2 pod record(s) on ${now}, which a pod keeps for its life: leave ${flag} out (or give ${now.split(' ')[1]}), or first remove the pods (\`minipod rm -f POD…\`, with the node running: a stopped one keeps their records; start it without ${flag})`);
    t.is(await readFile(path.join(node.dir, 'daemon.pid'), 'utf8'), daemon, 'the old daemon still serves');
    t.true(alive(Number(daemon.split(' ')[0])));
  }
  t.is(await readFile(path.join(node.dir, 'node.json'), 'utf8'), options);
  t.deepEqual((await nodeLinks(node)).filter((l) => l === 'br9'), [], 'no bridge made');
  t.is((await node.cli(['rm', '-f', 'p', 'q'])).exitCode, 0);
  t.is((await node.cli(['node', 'restart', '--dir', node.dir, '--subnet', '10.99.0.0/16'])).exitCode, 0, 'no pod left: the node may move');
  t.regex((await node.api.request<PodRecord>('POST', '/pods', sleeper('r'))).ip, /^10\.99\./);
  t.is((await node.cli(['rm', '-f', 'r'])).exitCode, 0);
});

test.serial('a request under way when node restart begins gets its answer from the old daemon, which finishes it first', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  // Its app ignores SIGTERM: the stop takes the whole grace period (2 s), while the restart begins.
  await node.api.request('POST', '/pods', { metadata: { name: 'slow' }, spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'app', command: ['sh', '-c', 'trap "" TERM; while :; do sleep 1; done'] }] } });
  await node.api.waitReady('slow', 10_000);
  const stop = node.cli(['stop', 'slow']);
  await waitFor(async () => (await events(node, 'slow')).some((l) => /Killing/.test(l)), 'the stop to begin');
  const restart = node.cli(['node', 'restart', '--dir', node.dir]);
  const [stopped, restarted] = await Promise.all([stop, restart]);
  t.is(stopped.exitCode, 0, stopped.stderr);
  t.is(stopped.stderr, '');
  t.is(restarted.exitCode, 0, restarted.stderr);
  t.is((await inspect(node, 'slow')).phase, 'Stopped');
  t.is((await node.cli(['rm', 'slow'])).exitCode, 0);
});

test.serial('an exec under way when the daemon goes, or its pod stops, ends saying why (143, not a silent signal); so does events -f', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  await node.api.request('POST', '/pods', { metadata: { name: 'e' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', '1000'] }] } });
  await node.api.waitReady('e', 10_000);
  const running = async () => (await execa('pgrep', ['-f', '-x', 'sleep 777'], { reject: false })).stdout.trim() !== '';
  let exec = node.cli(['exec', 'e', '--', 'sleep', '777']);
  const follow = node.cli(['events', '-f']);
  await waitFor(running, 'the exec to run');
  t.is((await node.cli(['node', 'restart', '--dir', node.dir])).exitCode, 0);
  const followed = await follow;
  t.is(followed.exitCode, 1);
  t.is(followed.stderr, 'minipod: the minipod daemon ended this stream: it stopped, or `node restart` replaced it; run the command again once it answers\n');
  let ended = await exec;
  t.is(ended.exitCode, 143);
  t.is(ended.stderr, 'minipod: exec ended: the minipod daemon is shutting down, and an exec does not outlive it: run the command again once the daemon answers\n');
  exec = node.cli(['exec', 'e', '--', 'sleep', '777']);
  await waitFor(running, 'the exec to run');
  t.is((await node.cli(['stop', 'e'])).exitCode, 0);
  ended = await exec;
  t.is(ended.exitCode, 143);
  t.is(ended.stderr, 'minipod: exec ended: pod e is stopping (stop requested)\n');
  t.false(await running());
  t.is((await node.cli(['rm', 'e'])).exitCode, 0);
});

/** The daemon's last "ready" line: how many pods it took over, and how many records on the word of the daemon it replaced. */
async function lastReady(node: TestNode): Promise<{ pods: number; vouched: number }> {
  const lines = (await readFile(path.join(node.dir, 'daemon.log'), 'utf8')).trimEnd().split('\n');
  return JSON.parse(lines.filter((l) => l.includes('"minipod daemon ready"')).pop()!);
}

test.serial('node restart hands the records over: the new daemon takes the old one\'s word for the texts it wrote, and checks a changed one whole', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  const names = ['a', 'b', 'c'];
  const pods = await Promise.all(names.map((n) => node.api.request<PodRecord>('POST', '/pods', sleeper(n))));
  let r = await node.cli(['node', 'restart', '--dir', node.dir]);
  t.is(r.exitCode, 0, r.stderr);
  t.like(await lastReady(node), { pods: 3, vouched: 3 }, 'one build: every record taken on its word');
  // Valid, but not the text the daemon vouched for: checked whole, and taken.
  const file = path.join(node.dir, 'state/pods/b.json');
  await writeFile(file, JSON.stringify(JSON.parse(await readFile(file, 'utf8'))));
  r = await node.cli(['node', 'restart', '--dir', node.dir]);
  t.is(r.exitCode, 0, r.stderr);
  t.like(await lastReady(node), { pods: 3, vouched: 2 });
  for (const p of pods) t.like(await inspect(node, p.name), { phase: 'Running', sandbox: { pid: p.sandbox!.pid, attempt: 0 } });
  // A daemon that crashed vouches for nothing: its successor checks every record.
  const { pid } = await node.api.request<{ pid: number }>('GET', '/health');
  process.kill(pid, 'SIGKILL');
  await waitFor(async () => !alive(pid), 'the daemon to die');
  r = await node.cli(['node', 'restart', '--dir', node.dir]);
  t.is(r.exitCode, 0, r.stderr);
  t.like(await lastReady(node), { pods: 3, vouched: 0 });
  t.is((await node.cli(['rm', '-f', ...names])).exitCode, 0);
});

test.serial('a node holder killed under a live daemon is replaced: node exec, restart and stop still work', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  const p = await node.api.request<PodRecord>('POST', '/pods', sleeper('p'));
  process.kill(node.holderPid, 'SIGKILL');
  await waitFor(async () => !alive(node.holderPid), 'the node holder to die');
  const exec = await node.cli(['node', 'exec', '--dir', node.dir, '--', 'ip', '-br', 'link', 'show', 'minipod0']);
  t.is(exec.exitCode, 0, exec.stderr);
  // Through the CLI, as a person runs it: the holder replaced is said once on stderr, for a person.
  const restarted = await node.cli(['node', 'restart', '--dir', node.dir]);
  t.is(restarted.exitCode, 0, restarted.stderr);
  t.regex(restarted.stdout, /^daemon restarted on the running node \(holder pid \d+\); pods still running there are re-adopted: daemon pid \d+/);
  t.regex(restarted.stderr, /^minipod: warning: the node holder is gone: starting a new one in the daemon's namespaces \(daemon \d+\)\n$/);
  const pidIn = async (file: string) => Number((await readFile(path.join(node.dir, file), 'utf8')).split(' ')[0]);
  node = testNode(node.dir, { dir: node.dir, pid: await pidIn('daemon.pid'), holderPid: await pidIn('node.pid'), socket: node.socket, stateDir: node.stateDir });
  t.like(await inspect(node, 'p'), { phase: 'Running', sandbox: { pid: p.sandbox!.pid, attempt: 0 } });
  t.true((await nodeLinks(node)).includes(p.sandbox!.hostVeth), 'the node\'s network survived its daemon\'s restart');
  const nodeNetns = (await netnsOf(node.holderPid))!;
  await node.stop();
  t.deepEqual(await processesIn(nodeNetns), [], 'node stop leaves nothing');
  for (const pid of pidsOf(p)) t.false(alive(pid));
});

test.serial('--stop-pods-on-exit: SIGTERM stops every pod and removes what it made; the node stays', async (t) => {
  const node = await startTestNode({ stopPodsOnExit: true });
  t.teardown(() => node.dispose());
  await importSeedImages(node);
  t.is((await node.cli(['run', '-f', SEED])).exitCode, 0);
  t.is((await node.cli(['run', 'other', '-c', 'sleeper=sleep 1000'])).exitCode, 0);
  const pods = (await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods;
  const pids = pods.flatMap(pidsOf);
  t.is(pids.length, 5);
  await sigterm(node);
  for (const pid of pids) t.false(alive(pid), `pid ${pid} is gone`);
  t.deepEqual(await leases(node), []);
  t.deepEqual((await nodeLinks(node)).sort(), ['lo', 'minipod0'], 'no veth left on the node');
  t.deepEqual(await nodeProcesses(node), [], 'nothing but the node holder (and its spare daemon) is left on the node');
  const records = await Promise.all(['web', 'other'].map(async (n) => JSON.parse(await readFile(path.join(node.stateDir, 'pods', `${n}.json`), 'utf8')) as PodRecord));
  t.deepEqual(records.map((r) => r.phase), ['Stopped', 'Stopped'], 'records kept, Stopped');
});

test.serial('node stop stops every pod, then the node: no process, namespace or veth is left', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.dispose());
  const p = await node.api.request<PodRecord>('POST', '/pods', sleeper('p'));
  const nodeNetns = (await netnsOf(node.holderPid))!;
  await node.stop();
  for (const pid of [node.pid, node.holderPid, ...pidsOf(p)]) t.false(alive(pid), `pid ${pid} is gone`);
  t.deepEqual(await leases(node), [], 'the pod was stopped (its lease released), not just killed');
  t.deepEqual(await processesIn(nodeNetns), [], 'nothing is left in the node namespace');
});
