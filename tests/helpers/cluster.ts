// A cluster for a suite (lib/node/cluster.ts): N nodes in a temp dir, each a TestNode, and the
// cluster's own cgroup (its outside) swept should the test process die before stop.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { clusterStatus, startCluster, stopCluster } from '../../lib/node/cluster.js';
import { nodeCgroup } from '../../lib/node/node-cgroup.js';
import { memberDir } from '../../lib/node-paths.js';
import { CLI, forgetCgroup, requireRoot, sweepCgroupOnExit, testNode, type Run, type TestNode } from './node.js';
import { execa } from 'execa';

export interface TestCluster {
  dir: string;
  nodes: TestNode[];
  /** The minipod CLI with --cluster-dir set (address a node with --node node-N). */
  cli(args: string[], input?: string): Promise<Run>;
  /** Stop the cluster; throws if a cgroup of it is left (cgroups are global). */
  stop(): Promise<void>;
  /** stop(), then remove the directory (test.after.always). */
  dispose(): Promise<void>;
}

export async function startTestCluster(size: number): Promise<TestCluster> {
  requireRoot();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-cluster-'));
  const cgroups = [dir, ...Array.from({ length: size }, (_, i) => memberDir(dir, i + 1))].map((d) => nodeCgroup(d)?.dir).filter((d): d is string => d !== undefined);
  for (const cg of cgroups) sweepCgroupOnExit(cg);
  let infos;
  try {
    infos = await startCluster(dir, size);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let nodes: TestNode[] = [];
  const stop = async () => {
    for (const n of nodes) await n.stop(); // each node's namespace released here, not at exit
    await stopCluster(dir);
    for (const cg of cgroups) {
      forgetCgroup(cg);
      if (existsSync(cg)) throw new Error(`leak: cgroup ${cg} is still there after cluster stop`);
    }
  };
  nodes = infos.map((info, i) => testNode(memberDir(dir, i + 1), info));
  return {
    dir,
    nodes,
    cli: async (args, input) => {
      const r = await execa(process.execPath, [CLI, '--cluster-dir', dir, ...args], { reject: false, timeout: 60_000, stripFinalNewline: false, env: { MINIPOD_SOCKET: '' }, ...(input !== undefined ? { input } : {}) });
      return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    stop,
    dispose: async () => {
      if ((await clusterStatus(dir)).nodes.some((n) => n.holderPid) || existsSync(path.join(dir, 'outside.pid'))) await stop();
      if (!process.env.MINIPOD_KEEP_TEST_DIRS) await rm(dir, { recursive: true, force: true });
    },
  };
}
