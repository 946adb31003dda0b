// Image containers (issue 10): importing an archive, the seed pod with two image containers until
// both are ready, one pod with one image container under runc and under crun (its
// runtimeClassName; the two interleaved, in the same daemon), per-container runtime cost and
// memory; and the same one-container pod made by podman (pod create + run) in the same run, when
// podman and catatonit are installed. Podman is kept off the machine: no network (`--network none`), its
// store in a temp dir, a tmpfs over /var/lib in a mount namespace of its own, its cgroups under a
// parent of its own that is removed afterwards.
import { randomBytes } from 'node:crypto';
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
import { hybridControllers } from '../lib/runtime/crun-hybrid.js';
import { OCI_RUNTIMES, type OciRuntimeName } from '../lib/runtime/oci-runtimes.js';
import { percentile, summary } from './stats.js';
import { ociArchive } from '../tests/helpers/images.js';

const IMAGES = fileURLToPath(new URL('../../rootfs/images/out/', import.meta.url));
const RUNS = Number(process.env.BENCH_IMAGE_RUNS ?? 10);
const PODMAN_RUNS = Number(process.env.BENCH_PODMAN_RUNS ?? 5);

const sleeper = (name: string, image?: string, runtimeClassName?: OciRuntimeName) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, ...(runtimeClassName ? { runtimeClassName } : {}), containers: [{ name: 'app', ...(image ? { image } : {}), command: ['sleep', '1000'] }] } });
const median = (xs: number[]) => percentile(xs, 50);
const seed = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: 'httpd', ports: [{ containerPort: 80 }] }, { name: 'bootcamp', image: 'bootcamp:v1', ports: [{ containerPort: 8080 }] }] } });

/** One image container's POST → running under each runtime, and podman's same work (or why it was not measured), ms. */
export interface ImageFigures {
  minipod: Record<OciRuntimeName, number[]>;
  podman?: Record<OciRuntimeName, number[]>;
  podmanWhy?: string;
}

export async function benchImages(api: ApiClient): Promise<ImageFigures> {
  console.log(`\nimages: archives from rootfs/images/out (npm run images), containers under runc (the node's default) and crun`);
  for (const file of ['busybox.tar', 'httpd.tar', 'bootcamp-v1.tar']) {
    const archive = path.join(IMAGES, file);
    const size = (await stat(archive)).size;
    const t0 = performance.now();
    await api.upload('POST', '/images', createReadStream(archive), size);
    console.log(`import ${file} (${(size / 1e6).toFixed(1)} MB, API round trip): ${(performance.now() - t0).toFixed(1)} ms`);
  }
  // The 5 MB archive: one layer of incompressible data, so the size is what is sent and checked.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-bench-5mb-'));
  try {
    const big = await ociArchive(dir, { layers: [[{ path: 'data.bin', body: randomBytes(5 * 2 ** 20) }]], tags: ['bench/five-mb:latest'], cmd: ['sh'] });
    const size = (await stat(big.file)).size;
    const t0 = performance.now();
    await api.upload('POST', '/images', createReadStream(big.file), size);
    console.log(`import a ${(size / 1e6).toFixed(1)} MB OCI archive (API round trip: stream, verify every digest, unpack): ${(performance.now() - t0).toFixed(1)} ms`);
    await api.request('DELETE', '/images/bench%2Ffive-mb');
  } finally {
    await rm(dir, { recursive: true, force: true });
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

  // crun's first container makes crun usable in the node (runtime/crun-hybrid.ts): not measured.
  await api.request('POST', '/pods', sleeper('crun-warmup', 'busybox', 'crun'));
  await api.request('DELETE', '/pods/crun-warmup?force=true');
  const image: Record<OciRuntimeName, number[]> = { runc: [], crun: [] };
  const cost: Record<OciRuntimeName, number[]> = { runc: [], crun: [] };
  const host: number[] = [];
  const before = await api.request<Stats>('GET', '/stats');
  for (let i = 0; i < RUNS; i++) {
    for (const runtime of OCI_RUNTIMES) {
      const t0 = performance.now();
      const r = await api.request<PodRecord>('POST', '/pods', sleeper(`${runtime}-${i}`, 'busybox', runtime));
      image[runtime].push(performance.now() - t0);
      cost[runtime].push(r.timings!.appsMs - r.timings!.sandboxMs);
    }
    const h = await api.request<PodRecord>('POST', '/pods', sleeper(`host-${i}`));
    host.push(h.timings!.appsMs - h.timings!.sandboxMs);
  }
  const after = await api.request<Stats>('GET', '/stats');
  for (const runtime of OCI_RUNTIMES) {
    console.log(summary(`one image container under ${runtime}: POST → running (round trip)`, image[runtime]));
    console.log(summary(`  its start under ${runtime} (bundle, overlay, ${runtime} run)`, cost[runtime]));
  }
  console.log(summary('  the same container without an image (nsenter)', host));
  console.log(`ratio: runc / crun (one image container, round trip) = ${(median(image.runc) / median(image.crun)).toFixed(2)}×, its start alone = ${(median(cost.runc) / median(cost.crun)).toFixed(2)}×`);
  console.log(`daemon memory per pod with an image container: ${((after.rssBytes - before.rssBytes) / 3 / RUNS / 1024).toFixed(0)} KiB (the three kinds together, ${RUNS} each)`);
  for (let i = 0; i < RUNS; i++) {
    for (const runtime of OCI_RUNTIMES) await api.request('DELETE', `/pods/${runtime}-${i}?force=true`);
    await api.request('DELETE', `/pods/host-${i}?force=true`);
  }
  let podmanWhy: string | undefined;
  const peer = await podmanPods(PODMAN_RUNS).catch((err: Error) => (console.log(`podman: not measured (${(podmanWhy = err.message.split('\n')[0])})`), undefined));
  if (peer) {
    for (const runtime of OCI_RUNTIMES) {
      console.log(summary(`podman --runtime ${runtime}: pod create + run -d (busybox sleep, --network none)`, peer[runtime]));
      console.log(`ratio: podman / minipod, both under ${runtime} (one image container) = ${(median(peer[runtime]) / median(image[runtime])).toFixed(1)}×`);
    }
  }
  for (const ref of ['busybox', 'httpd', 'bootcamp:v1']) await api.request('DELETE', `/images/${encodeURIComponent(ref)}`);
  return { minipod: image, ...(peer ? { podman: peer } : { podmanWhy }) };
}

/** podman pod create + podman run -d under each OCI runtime, timed as whole commands, isolated from the machine. */
async function podmanPods(runs: number): Promise<Record<OciRuntimeName, number[]>> {
  await execa('podman', ['--version']);
  await execa('catatonit', ['--version']).catch(() => {
    throw new Error('catatonit (the pod infra container\'s init) is not installed');
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-bench-podman-'));
  const parent = `minipod-bench-podman-${process.pid}`;
  // This machine's hard limit on open files is below podman's default; a conf raises nothing.
  await writeFile(path.join(dir, 'containers.conf'), '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n');
  const holder = execa('unshare', ['--mount', '--propagation', 'private', 'sleep', '3600'], { reject: false });
  const times: Record<OciRuntimeName, number[]> = { runc: [], crun: [] };
  try {
    await new Promise((r) => setTimeout(r, 100));
    const inMounts = (argv: string[]) => execa('nsenter', [`--mount=/proc/${holder.pid}/ns/mnt`, ...argv], { env: { CONTAINERS_CONF: path.join(dir, 'containers.conf') } });
    await inMounts(['mount', '-t', 'tmpfs', '-o', 'size=64m,mode=0755', 'minipod-bench', '/var/lib']);
    // crun on a hybrid cgroup machine, as in a node (lib/runtime/crun-hybrid.ts); in this private
    // mount namespace only, gone with it.
    if ((await hybridControllers()).length) await inMounts(['mount', '--bind', '/dev/null', '/sys/fs/cgroup/unified/cgroup.controllers']);
    const podman = (args: string[]) => inMounts(['podman', '--root', `${dir}/root`, '--runroot', `${dir}/run`, '--tmpdir', `${dir}/tmp`, '--storage-driver', 'vfs', '--events-backend', 'none', '--cgroup-manager', 'cgroupfs', ...args]);
    await podman(['load', '-q', '-i', path.join(IMAGES, 'busybox.tar')]);
    for (let i = 0; i < runs; i++) {
      for (const runtime of OCI_RUNTIMES) {
        const t0 = performance.now();
        await podman(['--runtime', runtime, 'pod', 'create', '--name', `p${runtime}${i}`, '--network', 'none', '--cgroup-parent', `/${parent}`]);
        await podman(['--runtime', runtime, 'run', '-d', '--pod', `p${runtime}${i}`, 'docker.io/library/busybox:latest', 'sleep', '1000']);
        times[runtime].push(performance.now() - t0);
      }
    }
    for (let i = 0; i < runs; i++) for (const runtime of OCI_RUNTIMES) await podman(['--runtime', runtime, 'pod', 'rm', '-f', '-t', '0', `p${runtime}${i}`]);
  } finally {
    holder.kill('SIGKILL');
    await holder;
    for (const root of [findCgroup2(), ...cgroupV1Mounts()].filter(Boolean)) await execa('find', [path.join(root!, parent), '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';'], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
  return times;
}
