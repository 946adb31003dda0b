// securityContext.fsGroup on a pod's emptyDir volumes, as kubelet's SetVolumeOwnership does: every
// file and directory in the volume gets the group, group read and write (and search, on
// directories), and directories the setgid bit, so that what a container creates there later is
// owned by the group too. The containers get the group as an extra group (security.ts), so a
// container running as any user can share the volume with the others. hostPath volumes are left
// alone, as kubelet leaves them. `OnRootMismatch` skips the walk when the top directory is already
// right (kubelet's fsGroupChangePolicy: for volumes with many files).
import { chown, chmod, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

const SETGID = 0o2000;
const GROUP_RW = 0o060;
const GROUP_X = 0o010;

/** Whether dir already has what the walk gives it (its group, setgid, group rwx). */
async function rootMatches(dir: string, gid: number): Promise<boolean> {
  const st = await lstat(dir);
  return st.gid === gid && (st.mode & (SETGID | GROUP_RW | GROUP_X)) === (SETGID | GROUP_RW | GROUP_X);
}

/** Give dir and all below it to group gid (symbolic links are not followed, nor changed). */
export async function applyFsGroup(dir: string, gid: number, policy: 'Always' | 'OnRootMismatch' = 'Always'): Promise<void> {
  if (policy === 'OnRootMismatch' && (await rootMatches(dir, gid))) return;
  const walk = async (file: string): Promise<void> => {
    const st = await lstat(file);
    if (st.isSymbolicLink()) return;
    await chown(file, -1, gid);
    const mode = st.mode & 0o7777;
    await chmod(file, st.isDirectory() ? mode | SETGID | GROUP_RW | GROUP_X : mode | GROUP_RW);
    if (st.isDirectory()) for (const entry of await readdir(file)) await walk(path.join(file, entry));
  };
  await walk(dir);
}
