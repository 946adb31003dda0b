// A cluster: N nodes on one machine, joined without NAT, as flannel's host-gw backend joins real
// ones. One outside namespace (node/outside.ts) is the shared underlay: each node's uplink is on
// its bridge at 192.0.2.(10+N), each node's pods get 10.88.N.0/24, and each node routes every other
// node's pod subnet via that node's underlay address. Pod traffic inside 10.88.0.0/16 keeps the
// pod's own address; to anywhere else (the outside) it is masqueraded, as on a single node.
// DIR holds the outside (DIR/outside.pid, in DIR's cgroup) and the nodes, DIR/node-1 … DIR/node-N,
// each a node like any other (`node exec`, `node restart`, `MINIPOD_SOCKET`), that remembers its
// membership in its node.json.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createCgroup, removeCgroup } from '../cgroup/cgroup.js';
import { MinipodError } from '../errors.js';
import { log } from '../log.js';
import { memberDir, NODE_PREFIX, nodePaths } from '../node-paths.js';
import { resolveTools } from '../os/tools.js';
import { withNodeLock } from './lock.js';
import { nodeCgroup } from './node-cgroup.js';
import { readHolder } from './node-holder.js';
import { startNode, stopNode, type NodeInfo } from './node-namespace.js';
import { MAX_NODES, memberAddr, memberSubnet } from './members.js';
import { makeOutside, readOutside, stopOutside } from './outside.js';
import { readDaemon } from './daemon-process.js';
import { secureDir } from './secure-dir.js';
import { removeFile } from '../util/remove-file.js';

/** Start the cluster's outside, then its nodes in turn; a failure stops what was started. */
export async function startCluster(dir: string, size: number): Promise<NodeInfo[]> {
  if (!Number.isInteger(size) || size < 1 || size > MAX_NODES) throw new MinipodError('INVALID_ARGUMENT', `--nodes ${size}: give a whole number from 1 to ${MAX_NODES}`);
  await resolveTools();
  const p = nodePaths(await secureDir(dir));
  return withNodeLock(p.lockFile, async () => {
    if (await readOutside(p.dir)) throw new MinipodError('ALREADY_EXISTS', `a cluster is already running in ${p.dir}: stop it with \`minipod cluster stop --cluster-dir ${p.dir}\``);
    // An earlier, larger cluster's nodes keep their pods' records: a smaller one would strand them.
    const extra = (await members(p.dir)).filter((m) => Number(path.basename(m).slice(NODE_PREFIX.length)) > size);
    if (extra.length) throw new MinipodError('ALREADY_EXISTS', `${p.dir} holds ${extra.map((m) => path.basename(m)).join(', ')} of an earlier cluster: start it with --nodes ${extra.length + size} or more, or give another --cluster-dir`);
    const started: NodeInfo[] = [];
    try {
      const cg = nodeCgroup(p.dir);
      if (cg) await createCgroup(cg.nodeDir); // the outside's holder runs there
      await makeOutside(p);
      for (let index = 1; index <= size; index++) {
        started.push(await startNode(memberDir(p.dir, index), { subnet: memberSubnet(index), cluster: { dir: p.dir, index, size } }));
      }
      return started;
    } catch (err) {
      await stopLocked(p.dir).catch((e: Error) => log.warn({ err: e.message }, 'could not stop the cluster made for a start that failed'));
      throw err;
    }
  });
}

/** Stop every node of the cluster, then its outside. False if there was none. */
export async function stopCluster(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return false;
  const running = (await readOutside(dir)) !== undefined || (await Promise.all((await members(dir)).map((m) => readHolder(m)))).some((pid) => pid !== undefined);
  if (!running) return false;
  await resolveTools();
  const p = nodePaths(await secureDir(dir));
  return withNodeLock(p.lockFile, () => stopLocked(p.dir));
}

async function stopLocked(dir: string): Promise<boolean> {
  for (const node of await members(dir)) await stopNode(node);
  const p = nodePaths(dir);
  await stopOutside(p);
  const cg = nodeCgroup(dir);
  if (cg) await removeCgroup(cg.dir);
  await removeFile(p.outsideFile);
  return true;
}

/** The member directories, node-1 … node-N, that exist. */
export async function members(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => new RegExp(`^${NODE_PREFIX}\\d+$`).test(n)).sort((a, b) => Number(a.slice(NODE_PREFIX.length)) - Number(b.slice(NODE_PREFIX.length))).map((n) => path.join(dir, n));
}

export interface MemberStatus {
  name: string;
  subnet: string;
  address: string;
  holderPid?: number;
  daemonPid?: number;
  socket: string;
}

/** What `cluster ls` shows: each node, its pod subnet, its underlay address, and what runs. */
export async function clusterStatus(dir: string): Promise<{ outsidePid?: number; nodes: MemberStatus[] }> {
  const nodes = await Promise.all((await members(dir)).map(async (m) => {
    const index = Number(path.basename(m).slice(NODE_PREFIX.length));
    const holderPid = await readHolder(m);
    const daemonPid = holderPid ? await readDaemon(nodePaths(m)) : undefined;
    return { name: path.basename(m), subnet: memberSubnet(index), address: memberAddr(index), socket: nodePaths(m).socket, ...(holderPid ? { holderPid } : {}), ...(daemonPid ? { daemonPid } : {}) };
  }));
  const outsidePid = await readOutside(dir);
  return { ...(outsidePid ? { outsidePid } : {}), nodes };
}
