// Resource limits of image containers (issue 10, "cgroups"): requests and limits land in the
// container's v1 cgroups as kubelet sets them, a container over its memory limit is OOMKilled
// (exit 137, an event, restarted by its policy), a fork bomb stops at the pids limit while the
// node still starts pods, `minipod top` reads CPU and memory from the cgroups, and nothing stays.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { cgroupV1Mounts } from '../../lib/cgroup/cgroup.js';
import { nodeCgroup } from '../../lib/node/node-cgroup.js';
import type { PodTop } from '../../lib/api/protocol.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { DEFAULT_PIDS_LIMIT } from '../../lib/cgroup/pod-pids.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { waitUntil } from '../../lib/util/wait.js';
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { assertNodeEmpty, CLI, restartTestNode, type TestNode } from '../helpers/node.js';
import { disposeImageNode, startImageNode } from '../helpers/seed.js';

let node: TestNode;

const pod = (name: string, command: string[], resources?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command, ...(resources ? { resources } : {}) }], ...extra },
});

async function get(name: string): Promise<PodRecord> {
  return node.api.request<PodRecord>('GET', `/pods/${name}`);
}

/** A file of the container's cgroup in a v1 hierarchy (memory, cpu, pids…). */
async function cgroupFile(p: PodRecord, container: string, controller: string, file: string): Promise<string> {
  const hierarchy = cgroupV1Mounts().find((m) => path.basename(m) === controller)!;
  return (await readFile(path.join(hierarchy, nodeCgroup(node.dir)!.name, `pod-${p.uid}`, container, file), 'utf8')).trim();
}

test.before(async () => {
  node = await startImageNode(['busybox.tar']);
});
test.after.always(() => disposeImageNode(node, ['busybox']));

test.serial('requests and limits are the container\'s cgroup settings: memory (no swap), CFS quota, shares, pids', async (t) => {
  const created = await node.api.request<PodRecord>('POST', '/pods', pod('lim', ['sh', '-c', 'while :; do :; done'], { requests: { cpu: '100m', memory: '8Mi' }, limits: { cpu: '250m', memory: '64Mi' } }));
  t.is(created.phase, 'Running');
  t.is(await cgroupFile(created, 'c', 'memory', 'memory.limit_in_bytes'), String(64 * 2 ** 20));
  t.is(await cgroupFile(created, 'c', 'memory', 'memory.memsw.limit_in_bytes'), String(64 * 2 ** 20), 'memory + swap = memory: no swap');
  t.is(await cgroupFile(created, 'c', 'cpu', 'cpu.cfs_period_us'), '100000');
  t.is(await cgroupFile(created, 'c', 'cpu', 'cpu.cfs_quota_us'), '25000', '250m = a quarter of each period');
  t.is(await cgroupFile(created, 'c', 'cpu', 'cpu.shares'), '102', '100m * 1024 / 1000');
  t.is(await cgroupFile(created, 'c', 'pids', 'pids.max'), String(DEFAULT_PIDS_LIMIT));
});

test.serial('top reads each container\'s CPU and memory from its cgroup; the busy loop stays under its CPU limit', async (t) => {
  const got = await node.api.request<PodTop>('GET', '/pods/lim/top');
  const c = got.containers[0]!;
  t.is(c.name, 'c');
  t.true(c.cpuMilli! > 0, `a busy loop uses CPU (${c.cpuMilli}m)`);
  // The quota is a ceiling: a quarter core, give or take one period at each end of the window.
  t.true(c.cpuMilli! < 400, `the quota holds it near 250m (${c.cpuMilli}m)`);
  t.true(c.memoryBytes! > 0 && c.memoryBytes! < 64 * 2 ** 20, `memory ${c.memoryBytes}`);
  const r = await node.cli(['top', 'lim']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\nlim\s+c\s+\d+m\s+\d+Mi\n$/);
  const missing = await node.cli(['top', 'nope']);
  t.is(missing.exitCode, 1);
  t.regex(missing.stderr, /nope/);
  t.is((await node.cli(['rm', '-f', 'lim'])).exitCode, 0);
});

test.serial('over its memory limit: OOMKilled, exit code 137, an OOMKilling event, restarted by its policy', async (t) => {
  const manifest = path.join(node.dir, 'oom.json');
  await writeFile(manifest, JSON.stringify(pod('oom', ['sh', '-c', 'x=a; while :; do x=$x$x; done'], { limits: { memory: '16Mi' } }, { restartPolicy: 'OnFailure' })));
  const run = await node.cli(['run', '-f', manifest, '--timeout', '30']);
  t.is(run.exitCode, 1, 'run -f sees the failure');
  t.regex(run.stderr, /container c of pod oom exited \(OOMKilled: over its memory limit, code 137\)/);
  const p = await waitUntil(async () => {
    const r = await get('oom');
    const c = r.containers[0]!;
    return c.restartCount >= 1 && c.lastState?.reason === 'OOMKilled' ? r : undefined;
  }, { timeoutMs: 30_000, everyMs: 100 });
  t.truthy(p, `OOMKilled and restarted: ${JSON.stringify((await get('oom')).containers[0])}`);
  t.is(p!.containers[0]!.lastState!.exitCode, 137);
  const events = (await node.cli(['events', 'oom', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
  const oom = events.find((e) => e.reason === 'OOMKilling');
  t.truthy(oom, 'an OOMKilling event');
  t.is(oom!.type, 'Warning');
  t.regex(oom!.message, /memory limit of 16Mi/);
  t.is((await node.cli(['rm', '-f', 'oom'])).exitCode, 0);
});

test.serial('the OOM killer ends a child, not the container\'s process: OOMKilled with its own exit code (as containerd reports it), and the event says which', async (t) => {
  t.teardown(() => node.cli(['rm', '-f', 'oomchild']).then(() => undefined));
  await node.api.request('POST', '/pods', pod('oomchild', ['sh', '-c', 'head -c 100m /dev/zero | tail > /dev/null; echo survived'], { limits: { memory: '32Mi' } }, { restartPolicy: 'Never' }));
  const p = await waitUntil(async () => ((await get('oomchild')).containers[0]!.state === 'Terminated' ? get('oomchild') : undefined), { timeoutMs: 30_000, everyMs: 100 });
  t.like(p!.containers[0], { reason: 'OOMKilled', exitCode: 0 });
  // Its "Killed" (of the pipe) goes to stderr, "survived" to stdout: the shim reads the two pipes apart, in either order.
  t.regex((await node.cli(['logs', 'oomchild'])).stdout, /(^|\n)survived\n/, 'the shell went on');
  const events = (await node.cli(['events', 'oomchild', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
  t.regex(events.find((e) => e.reason === 'OOMKilling')!.message, /^the kernel's OOM killer killed a process of c \(pid \d+ went on, and exited with code 0\): it went over its memory limit of 32Mi$/);
});

test.serial('a container re-adopted by a new daemon that goes over its limit is still OOMKilled, and restarted', async (t) => {
  // It waits for /tmp/go, which the test makes in its root filesystem once the new daemon runs.
  const manifest = pod('later', ['sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.1; done; x=a; while :; do x=$x$x; done'], { limits: { memory: '16Mi' } });
  // A second container stays adopted until rm stops it (through the watcher's process).
  manifest.spec.containers.push({ name: 'idle', image: 'busybox', command: ['sleep', '600'] });
  const first = await node.api.request<PodRecord>('POST', '/pods', manifest);
  const pid = first.containers[0]!.pid!;
  node = await restartTestNode(node);
  t.is((await get('later')).containers[0]!.pid, pid, 're-adopted, not restarted');
  await writeFile(`/proc/${pid}/root/tmp/go`, '');
  const p = await waitUntil(async () => {
    const r = await get('later');
    return r.containers[0]!.lastState?.reason === 'OOMKilled' && r.containers[0]!.restartCount >= 1 ? r : undefined;
  }, { timeoutMs: 30_000, everyMs: 100 });
  t.truthy(p, `OOMKilled after the restart: ${JSON.stringify((await get('later')).containers[0])}`);
  t.is(p!.containers[0]!.lastState!.exitCode, 137);
  const idle = p!.containers[1]!;
  t.is(idle.state, 'Running');
  const rm = await node.cli(['rm', '-f', 'later']);
  t.is(rm.exitCode, 0, rm.stderr);
  t.false(existsSync(`/proc/${idle.pid}`), 'the adopted container was stopped');
});

test.serial('a fork bomb stops at the pids limit, and the node still starts a new pod meanwhile', async (t) => {
  // The subshell forks sleeps until fork fails; PID 1 then becomes a sleep (exec, no fork needed).
  const bomb = await node.api.request<PodRecord>('POST', '/pods', pod('bomb', ['sh', '-c', '(while :; do sleep 600 & done) 2>/dev/null; exec sleep 600']));
  // pids.events counts the forks the limit refused.
  const refused = await waitUntil(async () => (/^max [1-9]/.test(await cgroupFile(bomb, 'c', 'pids', 'pids.events').catch(() => '')) ? true : undefined), { timeoutMs: 60_000, everyMs: 200 });
  t.true(refused, `a fork was refused at pids.max (${await cgroupFile(bomb, 'c', 'pids', 'pids.events').catch((e: Error) => e.message)})`);
  const current = Number(await cgroupFile(bomb, 'c', 'pids', 'pids.current'));
  t.true(current <= DEFAULT_PIDS_LIMIT && current >= DEFAULT_PIDS_LIMIT - 2, `the container holds as many processes as it may (${current}), the subshell gone`);
  const after = await node.api.request<PodRecord>('POST', '/pods', pod('after', ['sleep', '600']));
  t.is(after.phase, 'Running');
  t.is((await get('bomb')).containers[0]!.state, 'Running');
  for (const name of ['bomb', 'after']) t.is((await node.cli(['rm', '-f', name])).exitCode, 0);
});

test.serial('the pod cgroup holds no process of its own (cgroup v2\'s rule, so limits can be handed down): the pause and an app without an image are in its _sandbox leaf, an image container in its own', async (t) => {
  const p = await node.api.request<PodRecord>('POST', '/pods', { metadata: { name: 'leaf' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'img', image: 'busybox', command: ['sleep', '600'] }, { name: 'host', command: ['sleep', '600'] }] } });
  const podDir = `/${nodeCgroup(node.dir)!.name}/pod-${p.uid}`;
  const unified = async (pid: number) => (await readFile(`/proc/${pid}/cgroup`, 'utf8')).match(/^0::(.*)$/m)?.[1];
  // The holder is moved off the critical path: wait for it.
  t.is(await waitUntil(async () => ((await unified(p.sandbox!.pid)) === `${podDir}/_sandbox` ? true : undefined), { timeoutMs: 5000, everyMs: 20 }), true, 'the pause');
  t.is(await unified(p.containers.find((c) => c.name === 'host')!.pid!), `${podDir}/_sandbox`, 'the app without an image');
  t.is(await unified(p.containers.find((c) => c.name === 'img')!.pid!), `${podDir}/img`, 'the image container, below the pod');
  const root = path.dirname(nodeCgroup(node.dir)!.dir);
  t.is((await readFile(path.join(root, podDir, 'cgroup.procs'), 'utf8')).trim(), '', 'nothing in the pod cgroup itself');
  node = await restartTestNode(node);
  t.is(await unified(p.containers.find((c) => c.name === 'img')!.pid!), `${podDir}/img`, 're-adopted by a new daemon, the image container stays in its own');
  t.is(await unified(p.sandbox!.pid), `${podDir}/_sandbox`);
  t.is((await node.cli(['rm', '-f', 'leaf'])).exitCode, 0);
});

test.serial('a malformed quantity or a limit below its request is refused, naming the field, and nothing is made', async (t) => {
  await t.throwsAsync(node.api.request('POST', '/pods', pod('bad', ['true'], { limits: { memory: 'lots' } })), { message: /spec\.containers\[0\]\.resources\.limits\.memory: "lots" is not a quantity/ });
  await t.throwsAsync(node.api.request('POST', '/pods', pod('bad', ['true'], { requests: { cpu: '2' }, limits: { cpu: '1' } })), { message: /requests\.cpu: "2" must be less than or equal to the cpu limit "1"/ });
  t.deepEqual((await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods, []);
});

test.serial('a memory limit too small for the container to start: the create fails naming runc\'s reason, and leaves nothing', async (t) => {
  await t.throwsAsync(node.api.request('POST', '/pods', pod('tiny', ['sleep', '600'], { limits: { memory: '1Mi' } })), { message: /failed to create pod tiny: start containers: runc could not start container c .*memory limit/ });
  t.deepEqual((await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods, []);
});

test.serial('daemon --pids-limit that is not a whole number of at least 16 is refused before anything is made', async (t) => {
  const dir = path.join(node.dir, 'never-made');
  for (const value of ['abc', '3', '1.5e3']) {
    const r = await execa(process.execPath, [CLI, 'daemon', '--pids-limit', value, '--state-dir', dir, '--run-dir', dir], { reject: false, timeout: 10_000 });
    t.is(r.exitCode, 1, value);
    t.is(r.stderr, `minipod: --pids-limit ${value}: give a whole number of processes of at least 16 (default 1024)`);
  }
  t.false(existsSync(dir));
});

test.serial('nothing is left: no cgroup in any hierarchy, bundle, mount or runc state', async (t) => {
  await assertNodeEmpty(t, node);
});
