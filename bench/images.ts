// Image containers (issue 10): importing an archive, the seed pod with two image containers until
// both are ready, one pod with one image container, per-container runtime cost and memory; and
// the same one-container pod made by podman (pod create + run) in the same run, when podman and
// catatonit are installed. Podman is kept off the machine: no network (`--network none`), its
// store in a temp dir, a tmpfs over /var/lib in a mount namespace of its own, its cgroups under a
// parent of its own that is removed afterwards.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { ApiClient } from '../lib/api/client.js';
import type { Stats } from '../lib/api/protocol.js';
import { cgroupV1Mounts, findCgroup2 } from '../lib/cgroup/cgroup.js';
import type { PodRecord } from '../lib/pod/types.js';
import { summary } from './stats.js';

const IMAGES = fileURLToPath(new URL('../../rootfs/images/out/', import.meta.url));
const RUNS = Number(process.env.BENCH_IMAGE_RUNS ?? 10);
const PODMAN_RUNS = Number(process.env.BENCH_PODMAN_RUNS ?? 5);

const sleeper = (name: string, image?: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', ...(image ? { image } : {}), command: ['sleep', '1000'] }] } });
const seed = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: 'httpd', ports: [{ containerPort: 80 }] }, { name: 'bootcamp', image: 'bootcamp:v1', ports: [{ containerPort: 8080 }] }] } });

export async function benchImages(api: ApiClient): Promise<void> {
  console.log(`\nimages: archives from rootfs/images/out (npm run images), containers under runc`);
  for (const file of ['busybox.tar', 'httpd.tar', 'bootcamp-v1.tar']) {
    const archive = path.join(IMAGES, file);
    const size = (await stat(archive)).size;
    const t0 = performance.now();
    await api.upload('POST', '/images', createReadStream(archive), size);
    console.log(`import ${file} (${(size / 1e6).toFixed(1)} MB, API round trip): ${(performance.now() - t0).toFixed(1)} ms`);
  }

  const ready: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await api.request('POST', '/pods', seed(`seed-${i}`));
    for (;;) {
      const p = await api.request<PodRecord>('GET', `/pods/seed-${i}`);
      if (p.containers.every((c) => c.ready)) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    ready.push(performance.now() - t0);
  }
  console.log(summary('seed pod, 2 image containers: API call → both ready', ready));
  for (let i = 0; i < RUNS; i++) await api.request('DELETE', `/pods/seed-${i}?force=true`);

  const image: number[] = [];
  const cost: number[] = [];
  const host: number[] = [];
  const before = await api.request<Stats>('GET', '/stats');
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await api.request<PodRecord>('POST', '/pods', sleeper(`img-${i}`, 'busybox'));
    image.push(performance.now() - t0);
    cost.push(r.timings!.appsMs - r.timings!.sandboxMs);
    const h = await api.request<PodRecord>('POST', '/pods', sleeper(`host-${i}`));
    host.push(h.timings!.appsMs - h.timings!.sandboxMs);
  }
  const after = await api.request<Stats>('GET', '/stats');
  console.log(summary('one image container: POST → running (round trip)', image));
  console.log(summary('  its start under runc (bundle, overlay, runc run)', cost));
  console.log(summary('  the same container without an image (nsenter)', host));
  console.log(`daemon memory per pod with an image container: ${((after.rssBytes - before.rssBytes) / 2 / RUNS / 1024).toFixed(0)} KiB (both kinds together, ${RUNS} each)`);
  for (let i = 0; i < RUNS; i++) {
    await api.request('DELETE', `/pods/img-${i}?force=true`);
    await api.request('DELETE', `/pods/host-${i}?force=true`);
  }
  const peer = await podmanPods(PODMAN_RUNS).catch((err: Error) => (console.log(`podman: not measured (${err.message.split('\n')[0]})`), undefined));
  if (peer) {
    console.log(summary('podman: pod create + run -d (busybox sleep, --network none)', peer));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`ratio: podman / minipod (one image container) = ${(median(peer) / median(image)).toFixed(1)}×`);
  }
  for (const ref of ['busybox', 'httpd', 'bootcamp:v1']) await api.request('DELETE', `/images/${encodeURIComponent(ref)}`);
}

/** podman pod create + podman run -d, timed as whole commands, isolated from the machine. */
async function podmanPods(runs: number): Promise<number[]> {
  await execa('podman', ['--version']);
  await execa('catatonit', ['--version']).catch(() => {
    throw new Error('catatonit (the pod infra container\'s init) is not installed');
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-bench-podman-'));
  const parent = `minipod-bench-podman-${process.pid}`;
  // This machine's hard limit on open files is below podman's default; a conf raises nothing.
  await writeFile(path.join(dir, 'containers.conf'), '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n');
  const holder = execa('unshare', ['--mount', '--propagation', 'private', 'sleep', '3600'], { reject: false });
  const times: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 100));
    const inMounts = (argv: string[]) => execa('nsenter', [`--mount=/proc/${holder.pid}/ns/mnt`, ...argv], { env: { CONTAINERS_CONF: path.join(dir, 'containers.conf') } });
    await inMounts(['mount', '-t', 'tmpfs', '-o', 'size=64m,mode=0755', 'minipod-bench', '/var/lib']);
    const podman = (args: string[]) => inMounts(['podman', '--root', `${dir}/root`, '--runroot', `${dir}/run`, '--tmpdir', `${dir}/tmp`, '--storage-driver', 'vfs', '--events-backend', 'none', '--cgroup-manager', 'cgroupfs', ...args]);
    await podman(['load', '-q', '-i', path.join(IMAGES, 'busybox.tar')]);
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await podman(['pod', 'create', '--name', `p${i}`, '--network', 'none', '--cgroup-parent', `/${parent}`]);
      await podman(['run', '-d', '--pod', `p${i}`, 'docker.io/library/busybox:latest', 'sleep', '1000']);
      times.push(performance.now() - t0);
    }
    for (let i = 0; i < runs; i++) await podman(['pod', 'rm', '-f', '-t', '0', `p${i}`]);
  } finally {
    holder.kill('SIGKILL');
    await holder;
    for (const root of [findCgroup2(), ...cgroupV1Mounts()].filter(Boolean)) await execa('find', [path.join(root!, parent), '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';'], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
  return times;
}
