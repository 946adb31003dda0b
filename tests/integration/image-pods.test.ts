// Containers with an image (issue 10): the seed pod with `image: httpd` and `image: bootcamp:v1`
// runs under runc from the archives setup builds, each container in its own mount and PID
// namespace over its image's root filesystem, both in the pod's one network namespace; it
// recovers from the pause holder's death with fresh containers; and nothing is left behind.
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { assertNodeEmpty, containerLeftovers, curl, netnsOf, restartTestNode, sigterm, startTestNode, type TestNode } from '../helpers/node.js';
import { IMAGES, importSeedImages } from '../helpers/seed.js';

let node: TestNode;

const seed = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: {
    terminationGracePeriodSeconds: 1,
    containers: [
      { name: 'httpd', image: 'httpd', ports: [{ containerPort: 80 }] },
      { name: 'bootcamp', image: 'bootcamp:v1', ports: [{ containerPort: 8080 }] },
    ],
    ...extra,
  },
});

async function ready(name: string): Promise<PodRecord> {
  const pod = await waitUntil(async () => {
    const p = await node.api.request<PodRecord>('GET', `/pods/${name}`);
    return p.phase === 'Running' && p.containers.every((c) => c.ready) ? p : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  if (!pod) throw new Error(`pod ${name} never got ready: ${JSON.stringify(await node.api.request('GET', `/pods/${name}`))}`);
  return pod;
}

/** NSpid of /proc/PID/status: the pid in each PID namespace, outermost first. */
async function nspid(pid: number): Promise<number[]> {
  return (/^NSpid:\s+(.*)$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '').split(/\s+/).map(Number);
}

test.before(async () => {
  node = await startTestNode();
  await importSeedImages(node);
});
test.after.always(async () => {
  for (const ref of ['httpd', 'bootcamp:v1']) await node?.cli(['image', 'rm', ref]);
  await node?.dispose();
});

test.serial('the seed pod with images answers on :80 and :8080, each container PID 1 of its own PID namespace, in its own root filesystem', async (t) => {
  const created = await node.api.request<PodRecord>('POST', '/pods', seed('web'));
  t.is(created.phase, 'Running');
  const pod = await ready('web');
  t.is((await curl(node, `http://${pod.ip}:80/`)).stdout, '<html><body><h1>It works!</h1></body></html>\n');
  t.is((await curl(node, `http://${pod.ip}:8080/`)).stdout, 'Hello Kubernetes bootcamp! | Running on: web | v=1\n');
  const nodeMnt = await readlink(`/proc/${node.holderPid}/ns/mnt`);
  for (const c of pod.containers) {
    t.regex(c.containerID ?? '', /^runc:\/\/web-/, `${c.name} runs under runc`);
    t.like(c, { runtime: 'runc', mntns: await readlink(`/proc/${c.pid}/ns/mnt`), pidns: await readlink(`/proc/${c.pid}/ns/pid`) }, 'inspect names the runtime and the container\'s own namespaces');
    t.regex(c.imageID ?? '', /^[0-9a-f]{64}$/);
    t.is(await netnsOf(c.pid!), pod.sandbox!.netns, `${c.name} is in the pod's one network namespace`);
    t.not(await readlink(`/proc/${c.pid}/ns/mnt`), nodeMnt, `${c.name} has a mount namespace of its own`);
    t.not(await readlink(`/proc/${c.pid}/ns/pid`), await readlink(`/proc/${node.holderPid}/ns/pid`), `${c.name} has a PID namespace of its own`);
    t.is((await nspid(c.pid!)).at(-1), 1, `${c.name} is PID 1 inside`);
    const root = await readdir(`/proc/${c.pid}/root`);
    t.false(root.includes('work'), `${c.name} does not see the node's filesystem`);
    t.true((await readFile(`/proc/${c.pid}/root/etc/hosts`, 'utf8')).includes(`${pod.ip}\tweb`), '/etc/hosts names the pod on its IP');
  }
  t.true((await readdir(`/proc/${pod.containers[0]!.pid}/root/usr/local/apache2/htdocs`)).includes('index.html'));
  // runc's own view, with minipod's --root: the same containers, running.
  const listed = (await execa('runc', ['--root', path.join(node.stateDir, 'runc'), 'list', '--format', 'json'])).stdout;
  const runc = (JSON.parse(listed) as { id: string; status: string; pid: number }[]).map((c) => [`runc://${c.id}`, c.status, c.pid]).sort();
  t.deepEqual(runc, pod.containers.map((c) => [c.containerID, 'running', c.pid]).sort());
});

test.serial('the pause holder dies: fresh containers from their images in the new sandbox, same IP; the old bundles are gone', async (t) => {
  const before = await node.api.request<PodRecord>('GET', '/pods/web');
  process.kill(before.sandbox!.pid, 'SIGKILL');
  const after = await waitUntil(async () => {
    const p = await node.api.request<PodRecord>('GET', '/pods/web');
    return p.phase === 'Running' && p.sandbox!.netns !== before.sandbox!.netns && p.containers.every((c) => c.ready) ? p : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  t.truthy(after, 'recovered');
  t.is(after!.ip, before.ip);
  for (const [i, c] of after!.containers.entries()) {
    t.not(c.containerID, before.containers[i]!.containerID, `${c.name} is a new container`);
    t.is(await netnsOf(c.pid!), after!.sandbox!.netns);
  }
  t.is((await curl(node, `http://${after!.ip}:8080/`)).stdout, 'Hello Kubernetes bootcamp! | Running on: web | v=1\n');
  t.deepEqual((await containerLeftovers(node)).filter((l) => l.startsWith('bundle')).sort(), after!.containers.map((c) => `bundle ${c.containerID!.slice('runc://'.length)}`).sort(), 'only the running containers have a bundle');
});

test.serial('a daemon restart re-adopts the running image containers: same pids, nothing restarted; a death after it is restarted and its bundle removed', async (t) => {
  const before = await ready('web');
  node = await restartTestNode(node);
  const after = await node.api.request<PodRecord>('GET', '/pods/web');
  t.deepEqual(after.containers.map((c) => [c.pid, c.containerID, c.restartCount]), before.containers.map((c) => [c.pid, c.containerID, c.restartCount]));
  t.is((await curl(node, `http://${after.ip}:80/`)).stdout, '<html><body><h1>It works!</h1></body></html>\n');
  const victim = after.containers[1]!;
  process.kill(victim.pid!, 'SIGKILL');
  const restarted = await waitUntil(async () => {
    const p = await node.api.request<PodRecord>('GET', '/pods/web');
    const c = p.containers[1]!;
    return c.state === 'Running' && c.restartCount === victim.restartCount + 1 && c.ready ? p : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  t.truthy(restarted, 'restarted by its policy');
  t.like(restarted!.containers[1]!.lastState, { exitCode: 137, reason: 'Error' }, 'its exit code is known: the shim kept it for the daemon that re-adopted it');
  const bundles = (await containerLeftovers(node)).filter((l) => l.startsWith('bundle'));
  await waitUntil(async () => !(await containerLeftovers(node)).includes(`bundle ${victim.containerID!.slice('runc://'.length)}`), { timeoutMs: 5000, everyMs: 20 });
  t.false((await containerLeftovers(node)).includes(`bundle ${victim.containerID!.slice('runc://'.length)}`), `the dead container's bundle is removed (${bundles.join(', ')})`);
});

test.serial('a container that exits while no daemon runs: the next daemon reads its exit code from the shim and restarts it', async (t) => {
  const before = await ready('web');
  await sigterm(node); // the daemon goes; the pods stay
  const victim = before.containers[0]!;
  process.kill(victim.pid!, 'SIGKILL');
  await waitUntil(async () => !existsSync(`/proc/${victim.pid}`), { timeoutMs: 5000, everyMs: 10 });
  node = await startTestNode({}, node.dir);
  const after = await waitUntil(async () => {
    const p = await node.api.request<PodRecord>('GET', '/pods/web');
    return p.containers[0]!.state === 'Running' && p.containers[0]!.ready ? p : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  t.truthy(after, 'restarted');
  t.like(after!.containers[0]!.lastState, { exitCode: 137, reason: 'Error' }, 'not Unknown');
  t.false((await containerLeftovers(node)).includes(`bundle ${victim.containerID!.slice('runc://'.length)}`), 'its bundle is removed');
  t.is((await curl(node, `http://${after!.ip}:80/`)).stdout, '<html><body><h1>It works!</h1></body></html>\n');
});

test.serial('image rm is refused while a pod uses the image', async (t) => {
  const r = await node.cli(['image', 'rm', 'httpd']);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /web/);
});

test.serial('a command missing from the image is refused at create and changes nothing', async (t) => {
  const create = node.api.request('POST', '/pods', { metadata: { name: 'nope' }, spec: { containers: [{ name: 'c', image: 'httpd', command: ['bash'] }] } });
  await t.throwsAsync(create, { message: /executable "bash" not found in image httpd/ });
  t.deepEqual((await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods.map((p) => p.name), ['web'], 'nothing was made');
});

test.serial('an image not on the node: the container waits (ErrImageNeverPull, naming image import) and starts once it is imported', async (t) => {
  const late = { metadata: { name: 'late' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'] }] } };
  const created = await node.api.request<PodRecord>('POST', '/pods', late);
  t.is(created.phase, 'Running', 'the pod is kept');
  t.like(created.containers[0], { state: 'Waiting', reason: 'ErrImageNeverPull' });
  t.regex(created.containers[0]!.message ?? '', /minipod image import/);
  t.is((await node.cli(['image', 'import', path.join(IMAGES, 'busybox.tar')])).exitCode, 0);
  const started = await waitUntil(async () => {
    const p = await node.api.request<PodRecord>('GET', '/pods/late');
    return p.containers[0]!.state === 'Running' ? p : undefined;
  }, { timeoutMs: 15_000, everyMs: 100 });
  t.truthy(started, 'started on the next attempt after the import');
  t.regex(started!.containers[0]!.containerID ?? '', /^runc:\/\/late-/);
  t.is((await node.cli(['rm', '-f', 'late'])).exitCode, 0);
  t.is((await node.cli(['image', 'rm', 'busybox'])).exitCode, 0);
});

test.serial('shareProcessNamespace: one PID namespace whose PID 1 is the pause, which reaps the orphans of every container', async (t) => {
  t.is((await node.cli(['image', 'import', path.join(IMAGES, 'busybox.tar')])).exitCode, 0);
  const shared = {
    metadata: { name: 'shared' },
    spec: {
      terminationGracePeriodSeconds: 1,
      shareProcessNamespace: true,
      containers: [
        // Its background sleep is orphaned at once (the subshell exits) and exits 0.3 s later: a zombie unless PID 1 reaps it.
        { name: 'a', image: 'busybox', command: ['sh', '-c', '(sleep 0.3 &); exec sleep 1000'] },
        { name: 'b', image: 'busybox', command: ['sleep', '1000'] },
      ],
    },
  };
  const pod = await node.api.request<PodRecord>('POST', '/pods', shared);
  const holder = pod.sandbox!.pid;
  t.is((await nspid(holder)).at(-1), 1, 'the pause is PID 1 of the pod\'s PID namespace');
  const podPidNs = await readlink(`/proc/${holder}/ns/pid`);
  for (const c of pod.containers) {
    t.is(await readlink(`/proc/${c.pid}/ns/pid`), podPidNs, `${c.name} is in it`);
    t.not((await nspid(c.pid!)).at(-1), 1);
  }
  // `ps` in one container sees the other's processes: its /proc lists the pod's PID namespace.
  const seen = (await readdir(`/proc/${pod.containers[0]!.pid}/root/proc`)).filter((e) => /^\d+$/.test(e)).map(Number);
  t.true(seen.includes(1) && seen.includes((await nspid(pod.containers[1]!.pid!)).at(-1)!), `a sees b (${seen.join(' ')})`);
  const zombies = async () => {
    const out: number[] = [];
    for (const e of await readdir('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      const ns = await readlink(`/proc/${e}/ns/pid`).catch(() => '');
      const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
      if (ns === podPidNs && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') out.push(Number(e));
    }
    return out;
  };
  await new Promise((r) => setTimeout(r, 800));
  t.deepEqual(await zombies(), [], 'the orphaned sleep was reaped');
  t.is((await node.cli(['rm', '-f', 'shared'])).exitCode, 0);
  t.is((await node.cli(['image', 'rm', 'busybox'])).exitCode, 0);
});

test.serial('rm -f leaves no container, mount, bundle, runc state or cgroup behind', async (t) => {
  const r = await node.cli(['rm', '-f', 'web']);
  t.is(r.exitCode, 0, r.stderr);
  await assertNodeEmpty(t, node);
});
