// A container's OCI bundle (STATE/containers/ID), made before the runtime runs and removed after
// it (oci.ts): config.json (oci-config.ts), which runtime it is for, the overlay's upper and work
// dirs and its mount point, the pod's /etc files; besides the shim's files (shim.ts). Also the last
// line the runtime wrote before failing, and the container as the pod sees it.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cgroupPath } from '../cgroup/cgroup.js';
import { oomKills } from '../cgroup/stats.js';
import { parseRecord } from '../logs/cri.js';
import { run, tools } from '../os/host.js';
import { hostDevices } from './host-devices.js';
import { hostNetworkHostsFile, hostsFile, ociConfig } from './oci-config.js';
import type { OciRuntimeName } from './oci-runtimes.js';
import { ShimmedContainer } from './shim.js';
import type { ContainerSpec, ImageRootfs } from './types.js';

/** Which OCI runtime the bundle is for ("runc\n" / "crun\n"): gc sorts bundles by it. */
export const RUNTIME_FILE = 'runtime';

/** A container under runc or crun (the router stops it through its runtime, oci.ts). */
export class OciContainer extends ShimmedContainer {
  constructor(readonly runtime: OciRuntimeName, id: string, pid: number | undefined) {
    super(id, pid);
  }
}

export interface BundleOptions {
  runtime: OciRuntimeName;
  pidsLimit: number;
  /** The daemon's bounding set (read only for a container with a securityContext); undefined: all. */
  heldCapabilities: () => Promise<string[] | undefined>;
}

/**
 * The bundle at dir for spec, its rootfs the overlay of image's layers with a fresh writable layer.
 * What a failure leaves part-made, removeBundle removes.
 */
export async function makeBundle(dir: string, spec: ContainerSpec, image: ImageRootfs, o: BundleOptions): Promise<void> {
  const rootfs = path.join(dir, 'rootfs');
  for (const d of ['rootfs', 'upper', 'work']) await mkdir(path.join(dir, d), { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, RUNTIME_FILE), `${o.runtime}\n`); // whose it is, for list() after a restart
  // The container's "/" takes the upper layer's mode: searchable by a non-root user (the daemon's umask is 077).
  await chmod(path.join(dir, 'upper'), 0o755);
  // Highest layer first, as overlayfs lists lower directories.
  const lower = [...image.layerDirs].reverse().join(':');
  await run([tools().mount, '-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${path.join(dir, 'upper')},workdir=${path.join(dir, 'work')}`, rootfs]);
  const etc = { hosts: path.join(dir, 'hosts'), hostname: path.join(dir, 'hostname'), resolvConf: path.join(dir, 'resolv.conf') };
  // hostNetwork: the node's name and hosts file, as kubelet and containerd give such a pod.
  const hosts = spec.hostNetwork ? hostNetworkHostsFile(await readFile('/etc/hosts', 'utf8').catch(() => '')) : hostsFile(spec.pod, spec.podIP);
  for (const [file, text] of [[etc.hosts, hosts], [etc.hostname, `${spec.hostNetwork ? os.hostname() : spec.pod}\n`], [etc.resolvConf, await nodeResolvConf()]] as const) {
    await writeFile(file, text);
    await chmod(file, 0o644); // read by the container's user, whoever it is
  }
  const config = ociConfig({ sandboxPid: spec.sandboxPid, sharePid: spec.sharePid ?? false, hostNetwork: spec.hostNetwork ?? false, rootfs, argv: spec.argv, env: spec.env, cwd: spec.cwd, user: image.user, etc, cgroupsPath: spec.cgroup && cgroupPath(spec.cgroup) ? `${cgroupPath(spec.cgroup)}/${spec.name}` : null, resources: spec.resources ?? NO_RESOURCES, pidsLimit: o.pidsLimit, ...(spec.security ? { security: spec.security, heldCapabilities: await o.heldCapabilities() } : {}), ...(spec.volumes?.length ? { volumes: spec.volumes } : {}), ...(spec.security?.privileged ? { devices: await hostDevices() } : {}) });
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 1));
}

const NO_RESOURCES = { memoryLimit: null, cpuLimit: null, cpuRequest: null };

/** Idempotent: the overlay unmounted (if it is), then the bundle's directory. */
export async function removeBundle(dir: string): Promise<void> {
  await run([tools().umount, path.join(dir, 'rootfs')]).catch(() => {}); // not mounted
  await rm(dir, { recursive: true, force: true });
}

/** Whether the container's cgroup (its config.json's cgroupsPath, kept by the runtime) saw an OOM kill. */
export async function oomKilledIn(dir: string): Promise<boolean> {
  const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as { linux?: { cgroupsPath?: string } };
  const rel = config.linux?.cgroupsPath;
  return !!rel && ((await oomKills(rel)) ?? 0) > 0;
}

/** The node's nameservers, as kubelet's dnsPolicy Default gives a pod. */
async function nodeResolvConf(): Promise<string> {
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  return text.split('\n').filter((l) => /^(nameserver|search|options)\s/.test(l)).join('\n') + '\n';
}

export async function lastLine(file: string): Promise<string> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n');
  const line = text[text.length - 1] ?? '';
  return (parseRecord(Buffer.from(line))?.content.toString() ?? line) || 'no output';
}
