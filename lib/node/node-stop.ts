// `minipod node stop`: the daemon stops every pod, then everything the node started goes with its
// mount namespace and cgroup (node-namespace.ts starts and restarts it).
import { existsSync } from 'node:fs';
import { removeCgroup } from '../cgroup/cgroup.js';
import { log } from '../log.js';
import { nodePaths } from '../node-paths.js';
import { kill } from '../os/host.js';
import { resolveTools } from '../os/tools.js';
import { parentOf } from '../process/identity.js';
import { PinnedNamespace } from '../process/sweep.js';
import { waitUntil } from '../util/wait.js';
import { readDaemon, readIdentity, stopDaemon, type Paths } from './daemon-process.js';
import { withNodeLock } from './lock.js';
import { nodeCgroup } from './node-cgroup.js';
import { readHolder } from './node-holder.js';
import { stopOutside } from './outside.js';
import { readPrivate, secureDir } from './secure-dir.js';
import { removeFile } from '../util/remove-file.js';

/**
 * Stop the node: its daemon stops every pod, then anything still in the node's cgroup or mount
 * namespace (left by a daemon that crashed) and the node holder are killed, and with them the
 * node's bridge and veths. Its flags (node.json), records and logs stay for the next start.
 * False if there was no node.
 */
export async function stopNode(dir: string, timeoutMs = 60_000): Promise<boolean> {
  // Only a directory that holds a node: a mistyped --dir is told so, and nothing is made in it.
  const probe = nodePaths(dir);
  if (![probe.optionsFile, probe.holderFile, probe.mntnsFile, probe.pidFile].some((f) => existsSync(f)) && !existsSync(nodeCgroup(dir)?.dir ?? '')) return false;
  await resolveTools();
  const p = nodePaths(await secureDir(dir));
  return withNodeLock(p.lockFile, () => stopLocked(p, timeoutMs));
}

export async function stopLocked(p: Paths, timeoutMs = 60_000): Promise<boolean> {
  const holderPid = await readHolder(p.dir);
  const mntns = ((await readPrivate(p.mntnsFile)) ?? '').trim();
  const cg = nodeCgroup(p.dir);
  if (!holderPid && !mntns && !(await readDaemon(p)) && !(cg && existsSync(cg.dir))) return false;
  // The namespace is pinned by an open descriptor while it is swept: once freed, its inode number
  // can be reused by another node's (as it was, in parallel tests), whose processes we would kill.
  // Through any of the node's own processes: the holder, the daemon, its spare (spare-daemon.ts).
  const spareBefore = await readIdentity(p.spareFile).catch(() => undefined); // one not to trust: the sweep ends it all the same
  const pinned = PinnedNamespace.take('mnt', mntns, [holderPid, await readDaemon(p), spareBefore]);
  try {
    await stopDaemon(p, true, timeoutMs);
    // Read again once the daemon is gone: one it was starting as it was asked to stop is recorded by then (next-spare.ts).
    const spare = (await readIdentity(p.spareFile).catch(() => undefined)) ?? spareBefore;
    if (pinned) {
      // The holder and the spare, and the helpers the spare started for its daemon (os/prestart.ts),
      // are the node's own: not leftovers (the sweep below ends them).
      const leftovers = await pinned.sweep({ except: new Set([holderPid, spare].filter((pid) => pid !== undefined)), keep: async (pid) => spare !== undefined && (await parentOf(pid)) === spare });
      if (leftovers) log.warn({ leftovers }, 'killed processes left in the node (by a dead daemon, or run there with `node exec`)');
      // Then the holder. SIGKILL lands a moment later: done once the namespace is empty.
      await waitUntil(async () => (await pinned.sweep()) === 0, { timeoutMs: 5000, everyMs: 10 });
    } else if (holderPid) {
      kill(holderPid, 'SIGKILL');
    }
    await stopOutside(p);
    // Whatever the node started and is still alive, wherever it went (even with the daemon and the
    // holder both dead, when the namespace cannot be pinned any more): its cgroup holds it.
    if (cg) await removeCgroup(cg.dir);
    else if (!pinned && mntns) log.warn({ mntns }, 'the node holder and daemon are gone and this machine has no cgroup2: processes left in the node cannot be found safely (look for them with `ps -e -o pid,mntns,cmd`)');
  } finally {
    pinned?.close();
  }
  for (const file of [p.pidFile, p.holderFile, p.mntnsFile, p.outsideFile, p.spareFile, p.spareSocket]) await removeFile(file);
  return true;
}
