// Run an image's root filesystem without any runtime or network setup, to prove an archive works
// on its own: GNU tar unpacks it, `unshare` gives the Cmd fresh network, PID, mount, UTS and IPC
// namespaces (the network one holds a loopback only), chroot enters the rootfs.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { execa, type ResultPromise } from 'execa';
import { findExecutable } from '../../lib/os/tools.js';
import { alive } from './node.js';
import { tempDir } from './temp.js';
import { waitFor } from './wait.js';

export interface ImageConfig {
  created: string;
  architecture: string;
  os: string;
  config: { Cmd?: string[]; Entrypoint?: string[]; Env?: string[]; WorkingDir?: string; ExposedPorts?: Record<string, object> };
  rootfs: { type: string; diff_ids: string[] };
}

export interface Unpacked {
  index: { manifests: { digest: string; annotations?: Record<string, string> }[] };
  config: ImageConfig;
  /** The layer blob (gzip) and where its tar went. */
  layer: string;
  rootfs: string;
}

const sha256 = (buf: Uint8Array) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;

/** Unpack an OCI image layout archive and its one layer, checking every digest on the way. */
export async function unpackArchive(t: ExecutionContext, archive: string): Promise<Unpacked> {
  const dir = await tempDir(t, 'minipod-image-');
  await mkdir(path.join(dir, 'layout'));
  await execa('tar', ['-xf', archive, '-C', path.join(dir, 'layout')]);
  const blob = async (digest: string) => {
    const data = await readFile(path.join(dir, 'layout/blobs/sha256', digest.slice('sha256:'.length)));
    t.is(sha256(data), digest, `blob ${digest} holds what its name says`);
    return data;
  };
  const index = JSON.parse(await readFile(path.join(dir, 'layout/index.json'), 'utf8'));
  const manifest = JSON.parse(String(await blob(index.manifests[0].digest)));
  const config = JSON.parse(String(await blob(manifest.config.digest))) as ImageConfig;
  t.is(manifest.layers.length, 1);
  const layer = path.join(dir, 'layout/blobs/sha256', manifest.layers[0].digest.slice('sha256:'.length));
  await blob(manifest.layers[0].digest);
  t.is(sha256((await execa('gzip', ['-dc', layer], { encoding: 'buffer' })).stdout), config.rootfs.diff_ids[0], 'diff_id = digest of the uncompressed layer');
  const rootfs = path.join(dir, 'rootfs');
  await mkdir(rootfs);
  await execa('tar', ['-xzpf', layer, '-C', rootfs, '--numeric-owner']);
  return { index, config, layer, rootfs };
}

export interface Running {
  /** The image's PID 1 (the Cmd), as the host sees it. */
  pid: number;
  /** Run argv in its network namespace. */
  inNet(argv: string[]): Promise<{ exitCode?: number; stdout: string }>;
  proc: ResultPromise;
}

/** A host program by absolute path: the image's Env (its PATH) is what the started programs get. */
export async function hostTool(name: string): Promise<string> {
  const file = await findExecutable(name, `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`);
  if (!file) throw new Error(`${name} not found: scripts/setup installs it`);
  return file;
}

const ns = (pid: number | string, kind: string) => readlink(`/proc/${pid}/ns/${kind}`).catch(() => undefined);

/** Start the image's Entrypoint + Cmd in its rootfs, with its Env, as PID 1 of new namespaces. */
export async function runImage(t: ExecutionContext, image: Unpacked, hostname: string): Promise<Running> {
  const argv = [...(image.config.config.Entrypoint ?? []), ...(image.config.config.Cmd ?? [])];
  const env = Object.fromEntries((image.config.config.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const proc = execa(await hostTool('unshare'), ['--net', '--pid', '--mount', '--uts', '--ipc', '--fork', '--kill-child', `--mount-proc=${image.rootfs}/proc`, await hostTool('chroot'), image.rootfs, ...argv], {
    env,
    extendEnv: false,
    reject: false,
    timeout: 60_000,
    killSignal: 'SIGKILL', // unshare --fork ignores SIGTERM while its child runs
  });
  let pid: number | undefined;
  // Killing unshare kills its child (--kill-child), the PID namespace's init, and so all of it.
  t.teardown(async () => {
    proc.kill('SIGKILL');
    await proc;
    if (pid) await waitFor(async () => !alive(pid!), `the image's PID 1 (${pid}) to be gone`, 5_000);
  });
  // unshare's child, PID 1 of the new PID namespace, once it exists.
  pid = await waitFor(async () => {
    const children = await readFile(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').catch(() => '');
    return Number(children.trim().split(' ')[0]) || undefined;
  }, 'the image process');
  // Only ever enter namespaces that are not ours: a mistake here would rename the machine or
  // change its network (hard rule 1).
  for (const kind of ['net', 'uts']) {
    const theirs = await ns(pid, kind);
    if (!theirs || theirs === (await ns('self', kind))) throw new Error(`pid ${pid} is not in a ${kind} namespace of its own (${theirs})`);
  }
  const netns = `--net=/proc/${pid}/ns/net`;
  await execa('nsenter', [netns, 'ip', 'link', 'set', 'lo', 'up']);
  await execa('nsenter', [`--uts=/proc/${pid}/ns/uts`, 'busybox', 'hostname', hostname]);
  return {
    pid: pid!,
    proc,
    inNet: async (cmd) => {
      const r = await execa('nsenter', [netns, ...cmd], { reject: false, timeout: 10_000, stripFinalNewline: false });
      return { exitCode: r.exitCode, stdout: String(r.stdout) };
    },
  };
}

/**
 * GET url from inside the image's network namespace with busybox wget, retrying until it answers.
 * (No `wget -T`: Debian's busybox-static 1.35 segfaults with it; inNet's timeout bounds the call.)
 */
export async function httpGet(running: Running, url: string): Promise<string> {
  const r = await waitFor(async () => {
    const got = await running.inNet(['busybox', 'wget', '-qO-', url]);
    return got.exitCode === 0 ? got : undefined;
  }, `${url} to answer`, 15_000, 100);
  return r.stdout;
}

/** Children of pid that exited and were never reaped. */
export async function zombieChildren(pid: number): Promise<number[]> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(' ').filter(Boolean).map(Number);
  return children.filter((c) => !alive(c));
}
