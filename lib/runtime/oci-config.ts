// The OCI runtime spec (config.json) of one image container, as containerd's CRI plugin writes it:
// the pod's network, UTS and IPC namespaces joined by path through the pause holder, a mount and a
// PID namespace of its own, the image's root filesystem, runc's defaults for a non-privileged
// container (capabilities, masked and read-only paths, no_new_privs), and the pod's files
// (/etc/hosts, /etc/hostname, /etc/resolv.conf) bound in read-only, and the container's cgroup
// limits (linux.resources) as kubelet computes them; its securityContext (oci-security.ts) changes
// the defaults. Pure: unit-tested.
import type { ContainerResources } from '../manifest/resources.js';
import type { EffectiveSecurity } from '../manifest/security.js';
import type { OciDevice } from './host-devices.js';
import { capabilitySet, noNewPrivileges, processCapabilities } from './oci-security.js';

export { DEFAULT_CAPABILITIES } from './oci-security.js';

/** What the config is built from. */
export interface OciInput {
  /** The pause holder's pid: its namespaces are joined by path. */
  sandboxPid: number;
  /** The mounted root filesystem (bundle/rootfs). */
  rootfs: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  user: { uid: number; gid: number };
  /** Files the bundle holds for the container: bound read-only over the image's. */
  etc: { hosts: string; hostname: string; resolvConf: string };
  /** Join the holder's PID namespace (the pod shares one) instead of making a new one. */
  sharePid?: boolean;
  /** hostNetwork: no network and no UTS entry, so the runtime leaves the container in the node's
   * (its caller's), as containerd does for NamespaceMode NODE; IPC stays the pod's. */
  hostNetwork?: boolean;
  /** The container's cgroup, relative to the cgroup hierarchies' roots, or null for none. */
  cgroupsPath: string | null;
  /** CPU and memory from the manifest; applied only with a cgroupsPath. */
  resources: ContainerResources;
  /** The most processes and threads the container may have at once (`--pids-limit`). */
  pidsLimit: number;
  /** The manifest's securityContext, both levels merged; unset: runc's defaults. The uid and gid are already in `user`. */
  security?: Pick<EffectiveSecurity, 'supplementalGroups' | 'readOnlyRootFilesystem' | 'privileged' | 'allowPrivilegeEscalation' | 'add' | 'drop'>;
  /** The capabilities the daemon itself holds (its bounding set): all that privileged or add ALL can give. */
  heldCapabilities?: string[];
  /** The pod's volumes this container mounts (pod/volumes.ts), in the manifest's order. */
  volumes?: VolumeBind[];
  /** privileged: the node's devices (host-devices.ts), made in the container's /dev and all allowed. */
  devices?: OciDevice[];
}

/** One volumeMount, resolved to a node path: what the container's config binds. */
export interface VolumeBind {
  source: string;
  destination: string;
  readOnly: boolean;
}

/** The CFS period kubelet uses (100 ms, in µs); a CPU limit is a quota of it. */
export const CPU_PERIOD = 100_000;

/** kubelet's milliCPUToShares: 1024 shares per core, at least 2 (the kernel's minimum). */
export const cpuShares = (milliCpu: number): number => Math.min(262_144, Math.max(2, Math.floor((milliCpu * 1024) / 1000)));
/** kubelet's milliCPUToQuota: the share of each period the container may run, at least 1 ms. */
export const cpuQuota = (milliCpu: number): number => Math.max(1000, Math.floor((milliCpu * CPU_PERIOD) / 1000));

/**
 * linux.resources: memory.limit with swap equal to it (runc's v1 memory.memsw, so no swap at all),
 * a CFS quota from the CPU limit, shares from the CPU request, and a pids limit for every container.
 */
export function linuxResources(r: ContainerResources, pidsLimit: number): Record<string, unknown> {
  return {
    ...(r.memoryLimit ? { memory: { limit: r.memoryLimit, swap: r.memoryLimit } } : {}),
    ...(r.cpuLimit || r.cpuRequest
      ? { cpu: { ...(r.cpuRequest ? { shares: cpuShares(r.cpuRequest) } : {}), ...(r.cpuLimit ? { quota: cpuQuota(r.cpuLimit), period: CPU_PERIOD } : {}) } }
      : {}),
    pids: { limit: pidsLimit },
  };
}

const MASKED = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'];
const READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** A volume as kubelet asks for one: recursive, private (nothing propagates either way), read-only if so mounted. */
export const volumeMount = (v: VolumeBind) => ({ destination: v.destination, type: 'bind', source: v.source, options: ['rbind', 'rprivate', v.readOnly ? 'ro' : 'rw'] });

const bind = (source: string, destination: string) => ({ destination, type: 'bind', source, options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'] });

/**
 * privileged (containerd's meaning): every capability the daemon holds, no masked or read-only /proc
 * paths, /sys writable, no_new_privs off, the node's devices in the container's /dev and the device
 * cgroup open to every device.
 */
export function ociConfig(o: OciInput): Record<string, unknown> {
  const s = o.security ?? { supplementalGroups: [], readOnlyRootFilesystem: false, privileged: false, add: [], drop: [] };
  const caps = capabilitySet(s, o.heldCapabilities);
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      // umask 022, as runc gives a container's first process by default, written out: `crun exec`
      // takes it with the process copied from here; `runc exec` (1.1) ignores it, and gets 022
      // through `cgexec -` (oci.ts) instead of the daemon's own 077.
      user: { ...o.user, umask: 0o022, ...(s.supplementalGroups.length ? { additionalGids: s.supplementalGroups } : {}) },
      args: o.argv,
      env: Object.entries(o.env).map(([k, v]) => `${k}=${v}`),
      cwd: o.cwd,
      capabilities: processCapabilities(caps),
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: noNewPrivileges(s),
    },
    root: { path: o.rootfs, readonly: s.readOnlyRootFilesystem },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', s.privileged ? 'rw' : 'ro'] },
      bind(o.etc.hosts, '/etc/hosts'),
      bind(o.etc.hostname, '/etc/hostname'),
      bind(o.etc.resolvConf, '/etc/resolv.conf'),
      ...(o.volumes ?? []).map(volumeMount),
    ],
    linux: {
      namespaces: [
        o.sharePid ? { type: 'pid', path: `/proc/${o.sandboxPid}/ns/pid` } : { type: 'pid' },
        { type: 'mount' },
        ...(o.hostNetwork
          ? []
          : [
              { type: 'network', path: `/proc/${o.sandboxPid}/ns/net` },
              { type: 'uts', path: `/proc/${o.sandboxPid}/ns/uts` },
            ]),
        { type: 'ipc', path: `/proc/${o.sandboxPid}/ns/ipc` },
      ],
      ...(o.cgroupsPath ? { cgroupsPath: o.cgroupsPath, resources: { ...linuxResources(o.resources, o.pidsLimit), ...(s.privileged ? { devices: [{ allow: true, access: 'rwm' }] } : {}) } } : {}),
      ...(s.privileged && o.devices?.length ? { devices: o.devices } : {}),
      maskedPaths: s.privileged ? [] : MASKED,
      readonlyPaths: s.privileged ? [] : READONLY,
      rootfsPropagation: 'private',
    },
  };
}

/** A hostNetwork pod's /etc/hosts, as kubelet writes it: the node's own, under its header. */
export function hostNetworkHostsFile(nodeHosts: string): string {
  return `# Kubernetes-managed hosts file (host network).\n${nodeHosts}`;
}

/** /etc/hosts of a pod, as kubelet writes it: localhost, then the pod's name on its own IP. */
export function hostsFile(podName: string, podIP: string): string {
  return ['# Kubernetes-managed hosts file (minipod).', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', `${podIP}\t${podName}`, ''].join('\n');
}
