// A node's own cgroup (cgroup2), ROOT/minipod-node-HASH: the node holder and its daemon in
// `node/`, each pod in `pod-UID/` (the daemon's --cgroup-parent). Everything a node ever started
// is in it, whatever namespace it moved to, so `node stop` finds it all — also after the daemon
// and the node holder died — and removes the cgroup with it (cgroups are global: a node namespace
// does not hide them).
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { findCgroup2 } from '../cgroup/cgroup.js';

export interface NodeCgroup {
  /** The daemon's --cgroup-parent: relative to the cgroup2 root. */
  name: string;
  dir: string;
  /** Where the node holder and the daemon run (started there by launch.ts). */
  nodeDir: string;
}

/** The cgroup of the node in realDir, or undefined on a machine without cgroup2. */
export function nodeCgroup(dir: string): NodeCgroup | undefined {
  const root = findCgroup2();
  if (!root) return undefined;
  // The same node whichever path names it (a symlink, a relative path).
  const real = existsSync(dir) ? realpathSync(dir) : path.resolve(dir);
  const name = `minipod-node-${createHash('sha256').update(real).digest('hex').slice(0, 12)}`;
  const nodeDir = path.join(root, name, 'node');
  return { name, dir: path.join(root, name), nodeDir };
}
