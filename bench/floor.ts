// Floor C (bench/floor.c), compiled here with cc and run once in the bench's node: a sandbox made
// with the least work (a forked self-configuring holder + a long-lived `ip -batch`), its recovery
// and its removal, and, when the CNI plugins are installed, the same holder wired by the bridge
// plugin's ADD and unwired by its DEL, all timed in C.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { nodeExecArgv, type NodeInfo } from '../lib/node/node-namespace.js';
import { tools } from '../lib/os/host.js';
import { CNI_PATH } from './cni.js';
import { summary } from './stats.js';

const SOURCE = fileURLToPath(new URL('../../bench/floor.c', import.meta.url));
const BRIDGE = 'floorbr0';

export interface FloorTimes {
  create: number[];
  recover: number[];
  kill: number[];
  vethgone: number[];
  /** Empty when the bridge plugin is not installed (then `cniMissing` says so). */
  cniAdd: number[];
  cniDel: number[];
  cniMissing?: string;
}

/** Parse floor's "KIND MS" lines. */
export function parseFloor(stdout: string): FloorTimes {
  const t: FloorTimes = { create: [], recover: [], kill: [], vethgone: [], cniAdd: [], cniDel: [] };
  const key: Record<string, keyof FloorTimes> = { create: 'create', recover: 'recover', kill: 'kill', vethgone: 'vethgone', 'cni-add': 'cniAdd', 'cni-del': 'cniDel' };
  for (const line of stdout.split('\n')) {
    const [kind, ms] = line.split(' ');
    const k = kind && key[kind];
    if (k && k !== 'cniMissing') (t[k] as number[]).push(Number(ms));
  }
  return t;
}

export async function runFloor(node: NodeInfo, runs: number): Promise<FloorTimes> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-bench-floor-'));
  const binary = path.join(dir, 'floor');
  const cni = ['bridge', 'static'].every((p) => existsSync(path.join(CNI_PATH, p)));
  try {
    await execa('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', binary, SOURCE]);
    const [file, ...args] = nodeExecArgv(node, [binary, BRIDGE, String(runs), ...(cni ? [CNI_PATH] : [])], tools().nsenter);
    const r = await execa(file!, args, { timeout: 120_000, reject: false });
    if (r.exitCode !== 0) throw new Error(`floor C failed (${r.exitCode ?? r.signal}): ${r.stderr.trim()}`);
    return { ...parseFloor(r.stdout), ...(cni ? {} : { cniMissing: `${CNI_PATH}/bridge not installed: apt-get install containernetworking-plugins` }) };
  } finally {
    // Normally floor deletes its bridges itself; after a failure they may be left in the node.
    for (const bridge of [BRIDGE, 'cnifloor0']) {
      const [file, ...args] = nodeExecArgv(node, [tools().ip, 'link', 'del', bridge], tools().nsenter);
      await execa(file!, args, { reject: false });
    }
    await rm(dir, { recursive: true, force: true });
  }
}

/** Floor C's figures, as the bench prints its own. */
export function floorLines(f: FloorTimes): string[] {
  return [
    `\nfloor C (bench/floor.c in the node: a forked self-configuring holder + one long-lived ip -batch, timed in C), ${f.create.length} sandboxes`,
    summary('floor C: request → sandbox wired', f.create),
    summary('floor C: SIGKILL → new sandbox wired', f.recover),
    summary('floor C: SIGKILL → holder reaped', f.kill),
    summary('floor C: SIGKILL → its host veth gone (kernel)', f.vethgone),
    ...(f.cniMissing
      ? [`CNI bridge: not measured (${f.cniMissing})`]
      : [summary('CNI bridge: same holder + ADD (own bridge)', f.cniAdd), summary('CNI bridge: DEL', f.cniDel)]),
  ];
}
