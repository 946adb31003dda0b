// A privileged container's /dev, as containerd gives one (oci.WithHostDevices and
// WithAllDevicesAllowed, after runc's devices.HostDevices): every character and block device under
// the node's /dev, made by the runtime in the container's own /dev with the same numbers, mode and
// owner, and the device cgroup opened to all of them. Skipped as runc skips them: the pty, shm,
// mqueue and fd directories (the container has its own) and /dev/console.
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/** One entry of the OCI config's linux.devices. */
export interface OciDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

const SKIPPED_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/** The kernel's dev_t split as glibc's major()/minor() do (64-bit dev_t). */
const major = (rdev: number) => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
const minor = (rdev: number) => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));

export function deviceOf(file: string, st: Stats): OciDevice | undefined {
  if (!st.isCharacterDevice() && !st.isBlockDevice()) return undefined;
  return { path: file, type: st.isBlockDevice() ? 'b' : 'c', major: major(st.rdev), minor: minor(st.rdev), fileMode: st.mode & 0o777, uid: st.uid, gid: st.gid };
}

/** Every device under root (the node's /dev), its path as the container sees it (/dev/…). */
export async function hostDevices(root = '/dev'): Promise<OciDevice[]> {
  const found: OciDevice[] = [];
  const walk = async (dir: string, shown: string): Promise<void> => {
    for (const entry of await readdir(dir).catch(() => [] as string[])) {
      const file = path.join(dir, entry);
      const st = await lstat(file).catch(() => undefined);
      if (!st) continue; // gone meanwhile (udev)
      if (st.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry)) await walk(file, path.posix.join(shown, entry));
        continue;
      }
      if (entry === 'console') continue;
      const d = deviceOf(path.posix.join(shown, entry), st);
      if (d && !(d.type === 'c' && d.major === 0 && d.minor === 0)) found.push(d); // 0:0 is a whiteout, not a device
    }
  };
  await walk(root, '/dev');
  return found.sort((a, b) => (a.path < b.path ? -1 : 1));
}
