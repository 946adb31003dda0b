// The directory of the `ip netns` names as iproute2's `ip netns add` leaves it (ip/ipnetns.c): a
// mount point of its own (bound onto itself), shared, so that unmounting a name there also reaches
// every mount namespace copied from ours meanwhile (an `ip netns exec`, an app's `unshare -m`).
import { mkdir } from 'node:fs/promises';
import { makeShared, bindMount, readProc } from '../os/host.js';

const sharing = new Map<string, Promise<void>>();

/**
 * The directory made a shared mount point, once per daemon: checking reads the whole mount table
 * (a line per pod's name), too much for every create; nothing of minipod undoes it, and a person's
 * `umount /run/netns` is set right by the next daemon. Concurrent creates share one check: two
 * would each bind it onto itself, one mount over the other. A failure is tried again next time.
 */
export function shareDir(dir: string): Promise<void> {
  let pending = sharing.get(dir);
  if (!pending) {
    pending = share(dir);
    sharing.set(dir, pending);
    pending.catch(() => sharing.delete(dir));
  }
  return pending;
}

async function share(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  let top: string | undefined; // the mount on top at dir, if any: its line's part before " - "
  for (const line of ((await readProc('self', 'mountinfo')) ?? '').split('\n')) if (line.split(' ')[4] === dir) top = line.split(' - ')[0];
  if (top === undefined) await bindMount(dir, dir);
  if (!/ shared:\d+/.test(top ?? '')) await makeShared(dir);
}
