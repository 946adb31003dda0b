// The node holder: the pause process that keeps a node's network and mount namespaces alive while
// its daemon comes and goes, recorded in DIR/node.pid (pid + start time) and DIR/node.mntns.
import { MinipodError } from '../errors.js';
import { nodePaths } from '../node-paths.js';
import { procLink, tools } from '../os/host.js';
import { nsenterArgv } from '../process/nsenter.js';
import { waitUntil } from '../util/wait.js';
import { readDaemon, readIdentity, writeIdentity, type Paths } from './daemon-process.js';
import { launch } from './launch.js';
import { nodeCgroup } from './node-cgroup.js';
import { writePrivate } from './secure-dir.js';

/** The namespaces a node holder keeps: a node's daemon, pods and `node exec` enter them. */
export const NODE_NAMESPACES = ['net', 'mnt'] as const;

/** The node holder's pid, if it is still the very process recorded. */
export async function readHolder(dir: string): Promise<number | undefined> {
  return readIdentity(nodePaths(dir).holderFile);
}

/** A process in the node's namespaces, to enter them by (`node exec`): the holder, or its daemon. Starts nothing. */
export async function nodeExecTarget(dir: string): Promise<number | undefined> {
  return (await readHolder(dir)) ?? (await readDaemon(nodePaths(dir)));
}

/**
 * A pause process started through argv (unshare or nsenter, which enter the namespaces and then
 * exec it in place) in the node's cgroup: its pid once pause runs. Killed if it never does.
 */
export async function spawnNodePause(p: Paths, argv: string[], what: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const started = await launch(nodeCgroup(p.dir), argv, { stderr: 'ignore' });
  let exited = false;
  void started.exited.then(() => (exited = true));
  const { pid } = started;
  const running = await waitUntil(async () => {
    if ((await procLink(pid, 'exe')) === tools().pause) return 'running';
    return exited ? 'exited' : undefined;
  }, { timeoutMs: 5000, everyMs: 5 });
  started.forget();
  if (running !== 'running') {
    await started.kill('SIGKILL'); // only if it is still that process: one that exited is gone, its pid maybe another's
    throw new MinipodError('COMMAND_FAILED', `could not start ${what} (${argv.join(' ')} ${running === 'exited' ? 'exited before it ran pause' : 'did not exec pause within 5 s'})`);
  }
  return { pid, kill: () => started.kill('SIGKILL') };
}

/**
 * The node holder: a pause process that keeps the node's network and mount namespaces — new ones
 * (unshare), or a live daemon's (nsenter: `join`), in the node's cgroup. Registered once it runs; killed if it never does.
 */
export async function startHolder(p: Paths, how: 'new' | { join: number }): Promise<number> {
  const pause = tools().pause;
  const argv = how === 'new' ? [tools().unshare, '--net', '--mount', '--propagation', 'private', '--', pause] : nsenterArgv(tools().nsenter, how.join, NODE_NAMESPACES, [pause]);
  const holder = await spawnNodePause(p, argv, 'the node holder');
  try {
    await writeIdentity(p.holderFile, holder.pid);
    await writePrivate(p.mntnsFile, `${await procLink(holder.pid, 'ns/mnt')}\n`);
    return holder.pid;
  } catch (err) {
    await holder.kill();
    throw err;
  }
}

/** argv that runs a command inside the node's network and mount namespaces (`nsenter`: the CLI passes the one resolveTools found; tests let PATH find it). */
export function nodeExecArgv(node: { holderPid: number }, argv: string[], nsenter = 'nsenter'): string[] {
  return nsenterArgv(nsenter, node.holderPid, NODE_NAMESPACES, argv);
}
