// podman for a test, leaving nothing behind: its store under a temp dir (vfs: no mounts), and run
// in a mount namespace of its own where a small tmpfs covers /var/lib, because podman keeps its
// blob info cache in /var/lib/containers/cache whatever --root says (containers/image hardcodes it).
import { readlink } from 'node:fs/promises';
import type { ExecutionContext } from 'ava';
import { execa } from 'execa';
import { hostTool } from './image-run.js';
import { tempDir } from './temp.js';
import { waitFor } from './wait.js';

export interface Podman {
  (args: string[]): Promise<{ stdout: string }>;
  /** Run argv in podman's mount namespace (to look at what it wrote there). */
  inMounts(argv: string[]): Promise<{ stdout: string }>;
}

export async function isolatedPodman(t: ExecutionContext): Promise<Podman> {
  const dir = await tempDir(t, 'minipod-podman-');
  // The namespace lives as long as this sleep; its tmpfs goes with it.
  const holder = execa(await hostTool('unshare'), ['--mount', '--propagation', 'private', 'sleep', '600'], { reject: false });
  t.teardown(async () => {
    holder.kill('SIGKILL');
    await holder;
  });
  const own = await readlink('/proc/self/ns/mnt');
  const mnt = await waitFor(async () => {
    const theirs = await readlink(`/proc/${holder.pid}/ns/mnt`).catch(() => undefined);
    return theirs && theirs !== own ? `/proc/${holder.pid}/ns/mnt` : undefined;
  }, 'a mount namespace for podman');
  const inMounts = (argv: string[]) => execa('nsenter', [`--mount=${mnt}`, ...argv], { timeout: 60_000 });
  await inMounts(['mount', '-t', 'tmpfs', '-o', 'size=16m,mode=0755', 'minipod-podman', '/var/lib']);
  const podman = (args: string[]) =>
    inMounts(['podman', '--root', `${dir}/root`, '--runroot', `${dir}/run`, '--tmpdir', `${dir}/tmp`, '--storage-driver', 'vfs', '--events-backend', 'none', ...args]);
  return Object.assign(podman, { inMounts });
}
