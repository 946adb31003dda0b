// CNI plugins (Debian's containernetworking-plugins) called as a CNI runtime calls them, from
// inside a node: CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME and CNI_PATH in the
// environment, the network's config as JSON on stdin. Their iptables rules land in the node's
// network namespace only, and `removeCniChains` takes away what they leave there.
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { nodeExecArgv, type NodeInfo } from '../lib/node/node-namespace.js';
import { systemPath } from '../lib/os/tools.js';

export const CNI_PATH = '/usr/lib/cni';
const IN_NODE = fileURLToPath(new URL('./in-node.js', import.meta.url));

export interface Ran {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** One long-lived process in the node that spawns programs there and times them (bench/in-node.ts). */
export class NodeRunner {
  private readonly proc;
  private readonly lines;

  constructor(node: NodeInfo) {
    const [file, ...args] = nodeExecArgv(node, [process.execPath, IN_NODE]);
    this.proc = execa(file!, args, { stdin: 'pipe', stdout: 'pipe', buffer: false, reject: false });
    this.lines = createInterface({ input: this.proc.stdout! })[Symbol.asyncIterator]();
  }

  async run(argv: string[], env: Record<string, string> = {}, input = ''): Promise<Ran> {
    this.proc.stdin!.write(`${JSON.stringify({ argv, env: { PATH: systemPath(), ...env }, input })}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`the in-node runner exited (${(await this.proc).stderr ?? ''})`);
    return JSON.parse(next.value as string) as Ran;
  }

  async close(): Promise<void> {
    this.proc.stdin!.end();
    await this.proc;
  }
}

export interface Invocation {
  command: 'ADD' | 'DEL';
  containerId: string;
  /** The sandbox's network namespace, e.g. /proc/PID/ns/net. */
  netns: string;
  ifname: string;
  config: object;
}

/** Run plugin `type` once; a failure (non-zero exit, or a CNI error on stdout) throws with its message. */
export async function cni(runner: NodeRunner, type: string, c: Invocation): Promise<number> {
  const env = { CNI_COMMAND: c.command, CNI_CONTAINERID: c.containerId, CNI_NETNS: c.netns, CNI_IFNAME: c.ifname, CNI_PATH };
  const r = await runner.run([`${CNI_PATH}/${type}`], env, JSON.stringify({ ...c.config, type }));
  if (r.code !== 0) throw new Error(`CNI ${type} ${c.command} ${c.containerId} exited ${r.code}: ${(r.stdout || r.stderr).trim()}`);
  return r.ms;
}

/** portmap's config for one pod: one TCP mapping, chained after a plugin that gave the pod `ip` on eth0. */
export function portmapConfig(hostPort: number, containerPort: number, ip: string, prefix: number, netns: string): object {
  return {
    cniVersion: '0.4.0',
    name: 'minipod-bench',
    capabilities: { portMappings: true },
    runtimeConfig: { portMappings: [{ hostPort, containerPort, protocol: 'tcp' }] },
    prevResult: { cniVersion: '0.4.0', interfaces: [{ name: 'eth0', sandbox: netns }], ips: [{ version: '4', address: `${ip}/${prefix}`, interface: 0 }] },
  };
}

/** The bridge plugin's config on a bridge of its own (never minipod's), a static address, with or without ipMasq. */
export function bridgeConfig(bridge: string, address: string, gateway: string, ipMasq: boolean): object {
  return { cniVersion: '0.4.0', name: 'minipod-bench-bridge', bridge, isGateway: true, ipMasq, ipam: { type: 'static', addresses: [{ address, gateway }] } };
}

/** The node's iptables chains whose names start with CNI- (both families), by table. */
export async function cniChains(runner: NodeRunner): Promise<string[]> {
  const chains: string[] = [];
  for (const save of ['iptables-save', 'ip6tables-save']) {
    const r = await runner.run([save]);
    let table = '';
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('*')) table = line.slice(1);
      const m = /^:(CNI-\S+)/.exec(line);
      if (m) chains.push(`${save === 'iptables-save' ? 'ip' : 'ip6'} ${table} ${m[1]}`);
    }
  }
  return chains;
}

/**
 * Remove every CNI- chain from the node's iptables (portmap never removes its shared chains): the
 * jumps to them from the built-in chains first, then the chains, emptied.
 */
export async function removeCniChains(runner: NodeRunner): Promise<void> {
  for (const [family, ipt] of [['ip', 'iptables'], ['ip6', 'ip6tables']] as const) {
    const mine = (await cniChains(runner)).filter((c) => c.startsWith(`${family} `)).map((c) => c.split(' ') as [string, string, string]);
    for (const table of new Set(mine.map(([, t]) => t))) {
      const rules = (await runner.run([ipt, '-w', '-t', table, '-S'])).stdout.split('\n');
      for (const rule of rules.filter((l) => /^-A (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) .*-j CNI-/.test(l))) {
        await runner.run([ipt, '-w', '-t', table, ...splitRule(rule.replace(/^-A/, '-D'))]);
      }
      for (const [, , chain] of mine.filter(([, t]) => t === table)) await runner.run([ipt, '-w', '-t', table, '-F', chain]);
      for (const [, , chain] of mine.filter(([, t]) => t === table)) await runner.run([ipt, '-w', '-t', table, '-X', chain]);
    }
  }
}

/** An `iptables -S` line as argv: words, with "double-quoted" comments kept whole. */
function splitRule(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]!));
}
