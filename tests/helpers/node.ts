// Integration-test helpers: every suite gets its own node namespace (a daemon alone in a fresh
// network + mount namespace, state under a temp dir), so nothing touches the host's network.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { execa } from 'execa';
import { ApiClient } from '../../lib/api/client.js';
import { systemPath } from '../../lib/os/tools.js';
import { commandLine, parentOf } from '../../lib/process/identity.js';
import type { Stats } from '../../lib/api/protocol.js';
import { nodeExecArgv, restartNode, startNode, stopNode, type NodeInfo, type NodeOptions } from '../../lib/node/node-namespace.js';
import { UPLINK } from '../../lib/node/outside.js';
import { readIdentity } from '../../lib/node/daemon-process.js';
import { nodePaths } from '../../lib/node-paths.js';
import { nodeCgroup } from '../../lib/node/node-cgroup.js';
import { cgroupV1Mounts } from '../../lib/cgroup/cgroup.js';
import { OCI_RUNTIMES } from '../../lib/runtime/oci-runtimes.js';

import { waitFor } from './wait.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = path.join(ROOT, 'bin/minipod.js');
/** The seed pod: two image containers (import them first: importSeedImages in ./seed.ts). */
export const SEED = path.join(ROOT, 'examples/seed-pod.yaml');
/** The same two apps as host processes, no image (pod web-host): the nsenter path. */
export const HOST_SEED = path.join(ROOT, 'examples/host-pod.yaml');

export interface Run {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

export async function runCommand(argv: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  const [file, ...args] = argv;
  const r = await execa(file!, args, { ...options, reject: false, timeout: 60_000, stripFinalNewline: false });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export interface TestNode extends NodeInfo {
  /** The API; a DELETE returns once the daemon has also finished the teardown (see settled). */
  api: ApiClient;
  /** Every teardown the daemon does in the background after answering `rm` is done, and its boot housekeeping (bounded). */
  settled(): Promise<void>;
  /** Run the minipod CLI against this node; never throws, returns the result. */
  cli(args: string[], input?: string): Promise<Run>;
  /** Run a command on the node (its network + mount namespaces). */
  sh(argv: string[]): Promise<Run>;
  stop(): Promise<void>;
  /** Stop the daemon and delete the node's directory (test.after.always). */
  dispose(): Promise<void>;
}

/** Fail loudly rather than skip: CI runs as root and the integration suite must run there. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('integration tests need root (they create namespaces, veths and bridges): run `sudo npm test`');
}

// Should the test process die before its after.always hook, no node may outlive it: everything
// in each node's mount namespace (holder, daemon, pods) is killed, and its network goes with it.
// Each namespace is held open until its node is stopped, so its inode number stays its own (a
// freed one is soon another node's, maybe a parallel suite's).
const nodes = new Map<string, number>(); // mount namespace → open descriptor on it
const nodeCgroups = new Set<string>(); // and what any of them started, wherever it went

/** Kill what is in this cgroup should the test process die first (a cluster's outside: tests/helpers/cluster.ts). */
export const sweepCgroupOnExit = (dir: string) => nodeCgroups.add(dir);
export const forgetCgroup = (dir: string) => nodeCgroups.delete(dir);
process.once('exit', () => {
  for (const dir of nodeCgroups) {
    try {
      writeFileSync(path.join(dir, 'cgroup.kill'), '1');
    } catch {
      // stopped already
    }
  }
  for (const ns of nodes.keys()) {
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      try {
        if (pid && pid !== process.pid && readlinkSync(`/proc/${pid}/ns/mnt`) === ns) process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
});

/**
 * A teardown lasts up to its pod's grace period (30 s by default, as in examples/deployment.yaml,
 * whose httpd and nc ignore SIGTERM as PID 1) before the SIGKILL, then the kernel's own work,
 * slow on a loaded machine: the bound is well past both.
 */
const TEARDOWN_BOUND_MS = 90_000;

/** Until the daemon has no teardown and no boot housekeeping under way (GET /stats), bounded; a daemon that is gone has none. */
export async function teardownsDone(api: ApiClient): Promise<void> {
  const deadline = Date.now() + TEARDOWN_BOUND_MS;
  while (Date.now() < deadline) {
    const stats = await api.request<Stats>('GET', '/stats').catch(() => undefined);
    if (!stats?.removing && !stats?.housekeeping) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`teardowns still under way in the daemon ${TEARDOWN_BOUND_MS / 1000} s after rm`);
}

/** An ApiClient whose DELETE returns once the teardown it started is done (what the suites check). */
class SettlingClient extends ApiClient {
  constructor(socket: string, private readonly settle: () => Promise<void>) {
    super(socket);
  }

  override async request<T>(method: string, path: string, body?: unknown, opts?: Parameters<ApiClient['request']>[3]): Promise<T> {
    try {
      return await super.request<T>(method, path, body, opts);
    } finally {
      if (method === 'DELETE') await this.settle();
    }
  }
}

/** A running node as a TestNode (its namespace and cgroup swept should this process die first). */
export function testNode(dir: string, info: NodeInfo): TestNode {
  const mnt = readlinkSync(`/proc/${info.holderPid}/ns/mnt`);
  if (!nodes.has(mnt)) nodes.set(mnt, openSync(`/proc/${info.holderPid}/ns/mnt`, 'r'));
  const cg = nodeCgroup(dir)?.dir;
  if (cg) nodeCgroups.add(cg);
  const forget = () => {
    const fd = nodes.get(mnt);
    if (fd !== undefined) closeSync(fd);
    nodes.delete(mnt);
    if (cg) nodeCgroups.delete(cg);
  };
  const settled = () => teardownsDone(new ApiClient(info.socket));
  return {
    ...info,
    api: new SettlingClient(info.socket, settled),
    settled,
    // `rm` and `delete` are answered before the kernel's teardown is done: the suites check what
    // is left after it, as they did when it was part of the answer.
    cli: async (args, input) => {
      const r = await runCommand([process.execPath, CLI, ...args], { env: { MINIPOD_SOCKET: info.socket }, input });
      if (['rm', 'delete'].includes(args[0]!)) await settled();
      return r;
    },
    // System programs only (nft, ip, curl): npm puts its bin directories, with their own `nft`, first.
    sh: (argv) => runCommand(nodeExecArgv(info, argv), { env: { PATH: systemPath() } }),
    stop: async () => {
      await stopNode(dir);
      forget();
    },
    dispose: async () => {
      await stopNode(dir);
      forget();
      // cgroups are global: a stopped node must leave none behind (hard rule: nothing leaks).
      if (cg && existsSync(cg)) throw new Error(`leak: node cgroup ${cg} is still there after node stop`);
      if (!process.env.MINIPOD_KEEP_TEST_DIRS) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A daemon in a new node namespace; with `dir`, in an earlier node: its daemon started again on
 * the same node if the node still runs (after a crash), or a new node on the old state (a reboot).
 */
export async function startTestNode(opts: NodeOptions = {}, existingDir?: string): Promise<TestNode> {
  requireRoot();
  const dir = existingDir ?? (await mkdtemp(path.join(os.tmpdir(), 'minipod-test-')));
  try {
    return testNode(dir, await startNode(dir, opts));
  } catch (err) {
    // No TestNode to dispose of: a directory made for it goes now (its log is in the error).
    if (!existingDir && !process.env.MINIPOD_KEEP_TEST_DIRS) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** `minipod node restart`: a new daemon on the same node (with these flags, kept); the pods keep running. */
export async function restartTestNode(node: TestNode, opts: NodeOptions = {}): Promise<TestNode> {
  const restarted = testNode(node.dir, await restartNode(node.dir, opts));
  await restarted.settled(); // the boot's housekeeping, which after a handoff runs once the daemon answers
  return restarted;
}

/** Processes the daemon started that are still around (its long-lived `ip -batch` excluded). */
export async function daemonDescendants(daemonPid: number): Promise<{ pid: number; cmd: string }[]> {
  const parents = new Map<number, number>();
  const cmds = new Map<number, string>();
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!pid) continue;
    const ppid = await parentOf(pid);
    if (ppid === undefined) continue; // exited while we looked
    parents.set(pid, ppid);
    cmds.set(pid, await commandLine(pid));
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (ppid: number) => {
    for (const [pid, parent] of parents) {
      if (parent === ppid) {
        out.push({ pid, cmd: cmds.get(pid) ?? '' });
        walk(pid);
      }
    }
  };
  walk(daemonPid);
  return out.filter((p) => !/ip -force -batch -/.test(p.cmd));
}

/** Interfaces in the node's network namespace, by name. */
/** The node's links but its uplink (its own NIC, as a machine's eth0: tests/integration/egress.test.ts checks it). */
export async function nodeLinks(node: TestNode): Promise<string[]> {
  const r = await node.sh(['ip', '-o', 'link', 'show']);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.split('@')[0]!).filter((n) => n !== UPLINK);
}

export async function leases(node: NodeInfo): Promise<string[]> {
  return readdir(path.join(node.stateDir, 'leases'));
}

/** Processes (pid and command line) whose network namespace is `netns`. */
export async function processesIn(netns: string): Promise<{ pid: number; cmd: string }[]> {
  const out: { pid: number; cmd: string }[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!pid || (await netnsOf(pid)) !== netns) continue;
    out.push({ pid, cmd: await commandLine(pid) });
  }
  return out;
}

/**
 * Processes on the node that are not the node itself: everything in its mount namespace but the
 * node holder, the daemon, its spare daemon (node/spare-daemon.ts), the helpers of either (ip
 * -batch, pidwatch, a spare's `nft -f -`), its spare pause holders (`withoutSpares`: asked of the daemon), and
 * commands this test process runs on the node (`node.sh`, its own children). Pods' processes are
 * here, whichever daemon started them; so is anything a dead daemon left.
 */
export async function nodeProcesses(node: TestNode, options: { withoutSpares?: boolean } = {}): Promise<{ pid: number; cmd: string }[]> {
  const mnt = await readlink(`/proc/${node.holderPid}/ns/mnt`);
  const spare = await readIdentity(nodePaths(node.dir).spareFile);
  const out: { pid: number; cmd: string }[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!pid || [node.holderPid, node.pid, spare].includes(pid) || !alive(pid)) continue;
    const ppid = await parentOf(pid);
    if (ppid === process.pid || (await readlink(`/proc/${pid}/ns/mnt`).catch(() => '')) !== mnt) continue;
    const cmd = await commandLine(pid);
    // The daemon's helpers, and those its spare started for the daemon it will become (os/prestart.ts).
    if (ppid === node.pid && /ip -force -batch -$|rootfs\/pidwatch\/pidwatch$/.test(cmd)) continue;
    if (spare !== undefined && ppid === spare && /ip -force -batch -$|rootfs\/pidwatch\/pidwatch$|nft -f -$/.test(cmd)) continue;
    out.push({ pid, cmd });
  }
  if (!options.withoutSpares) return out;
  // Asked after the listing: the daemon counts a spare from before its spawn (pool.ts), so every
  // spare listed is among them, also one whose start began after the listing did (a refill).
  const { spareHolderPids } = await node.api.request<Stats>('GET', '/stats');
  return out.filter((p) => !spareHolderPids.includes(p.pid));
}

/** Direct children of a process, with their command lines. */
export async function childrenOf(ppid: number): Promise<{ pid: number; cmd: string }[]> {
  const out: { pid: number; cmd: string }[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (pid && (await parentOf(pid)) === ppid) out.push({ pid, cmd: await commandLine(pid) });
  }
  return out;
}


/** The pods' cgroups on the node (pod-UID under the node's own cgroup). */
export async function podCgroups(node: Pick<NodeInfo, 'dir'>): Promise<string[]> {
  const cg = nodeCgroup(node.dir);
  if (!cg) return [];
  const pods = (dir: string) => readdir(dir).catch(() => [] as string[]).then((names) => names.filter((n) => n.startsWith('pod-')));
  // On a hybrid machine runc also makes a container's cgroup in every v1 hierarchy: none may stay.
  const v1 = await Promise.all(cgroupV1Mounts().map(async (m) => (await pods(path.join(m, cg.name))).map((n) => `${path.basename(m)}:${n}`)));
  return [...(await pods(cg.dir)), ...v1.flat()];
}

/** What containers leave if they leak: bundles, overlay mounts in the node, runc's and crun's state, the shim files of containers without an image, the exec dirs (process files, console sockets) of an image container's exec. */
export async function containerLeftovers(node: TestNode): Promise<string[]> {
  const bundles = await readdir(path.join(node.stateDir, 'containers')).catch(() => [] as string[]);
  const shims = await readdir(path.join(node.stateDir, 'nsenter')).catch(() => [] as string[]);
  const consoles = await readdir(path.join(node.stateDir, 'tty')).catch(() => [] as string[]);
  const overlays = (await node.sh(['findmnt', '-rn', '-t', 'overlay', '-o', 'TARGET'])).stdout.split('\n').filter(Boolean);
  const state = await Promise.all(OCI_RUNTIMES.map(async (r) => (await readdir(path.join(node.stateDir, r)).catch(() => [] as string[])).map((id) => `${r} state ${id}`)));
  return [...bundles.map((b) => `bundle ${b}`), ...overlays.map((o) => `overlay ${o}`), ...state.flat(), ...shims.map((s) => `shim files ${s}`), ...consoles.map((c) => `exec dir ${c}`)];
}

/** A container's shim (rootfs/shim, the parent of every container), by its command line. */
export const isShim = (cmd: string) => /\/rootfs\/shim\/shim /.test(cmd);

/** A shim's command line as `shim: APP ARGV` (the app's argv after nsenter's `--`; for runc, `shim: runc ID`), so it reads and compares without its paths; any other unchanged. */
export function shortCommand(cmd: string): string {
  if (!isShim(cmd)) return cmd;
  const app = cmd.lastIndexOf(' -- ');
  return app >= 0 ? `shim: ${cmd.slice(app + 4)}` : `shim: runc ${cmd.split(' ').at(-1)}`;
}

/** `ip netns` names in the node (its own /run/netns), and every namespace bind mount in its mount namespace (findmnt -t nsfs). */
export async function netnsLeftovers(node: TestNode): Promise<{ names: string[]; nsfs: string[] }> {
  const lines = (r: Run) => r.stdout.split('\n').filter(Boolean);
  const names = await node.sh(['ls', '-A', '/run/netns']); // no directory: no name was ever made
  const nsfs = await node.sh(['findmnt', '-rn', '-t', 'nsfs', '-o', 'TARGET,SOURCE']); // exit 1: none
  if (nsfs.stderr) throw new Error(`findmnt in the node: ${nsfs.stderr}`);
  return { names: names.exitCode === 0 ? lines(names).sort() : [], nsfs: lines(nsfs).sort() };
}

/** The hostPort mappings in the node's NAT table (`MAP KEY : VALUE`), [] with no table; what leaks if a pod's are left. */
export async function hostPortMappings(node: TestNode): Promise<string[]> {
  const listed = await node.sh(['nft', '-j', 'list', 'table', 'ip', 'minipod']);
  if (listed.exitCode !== 0) return [];
  const words = (v: { concat?: unknown[] }) => (v.concat ?? [v]).join(' . ');
  const items = JSON.parse(listed.stdout).nftables as { map?: { name: string; elem?: [{ concat?: unknown[] }, { concat?: unknown[] }][] } }[];
  return items.flatMap((o) => (o.map?.elem ?? []).map(([k, v]) => `${o.map!.name} ${words(k)} : ${words(v)}`)).sort();
}

/** What a node holds: links, leases, pod and Deployment records, log dirs, pod cgroups, the processes on it, netns names and mounts, hostPort mappings. */
export async function snapshot(node: TestNode) {
  return {
    cgroups: await podCgroups(node),
    links: (await nodeLinks(node)).sort(),
    leases: (await leases(node)).sort(),
    records: (await readdir(path.join(node.stateDir, 'pods'))).sort(),
    deployments: (await readdir(path.join(node.stateDir, 'deployments')).catch(() => [])).sort(),
    logs: (await readdir(path.join(node.stateDir, 'logs')).catch(() => [])).sort(),
    processes: (await nodeProcesses(node, { withoutSpares: true })).map((p) => shortCommand(p.cmd)).sort(),
    containers: await containerLeftovers(node),
    ...(await netnsLeftovers(node)),
    hostPorts: await hostPortMappings(node),
    volumes: await volumeLeftovers(node),
  };
}

/** Pods' volume directories under the state dir, and any mount below them in the node (a Memory emptyDir's tmpfs). */
export async function volumeLeftovers(node: TestNode): Promise<string[]> {
  const root = path.join(node.stateDir, 'volumes');
  const dirs = await readdir(root).catch(() => [] as string[]);
  const mounts = (await node.sh(['findmnt', '-rn', '-o', 'TARGET'])).stdout.split('\n').filter((m) => m.startsWith(`${root}/`));
  return [...dirs.map((d) => `dir ${d}`), ...mounts.map((m) => `mount ${m}`)];
}

/** The empty node: loopback and the bridge, nothing else. */
export async function assertNodeEmpty(t: ExecutionContext, node: TestNode): Promise<void> {
  await node.settled();
  t.deepEqual(await snapshot(node), { cgroups: [], links: ['lo', 'minipod0'], leases: [], records: [], deployments: [], logs: [], processes: [], containers: [], names: [], nsfs: [], hostPorts: [], volumes: [] });
}

export async function netnsOf(pid: number): Promise<string | undefined> {
  return readlink(`/proc/${pid}/ns/net`).catch(() => undefined);
}

/** The process exists and is not a zombie (an exited child nobody has reaped yet). */
export const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/** Stop the daemon the way `kill -TERM` does, and wait until it is gone; the node and its pods stay. */
export async function sigterm(node: TestNode): Promise<void> {
  process.kill(node.pid, 'SIGTERM');
  await waitFor(async () => !alive(node.pid), 'the daemon to exit');
}

/** curl from the node; resolves with curl's result (exitCode 7 = connection refused). */
export function curl(node: TestNode, url: string): Promise<Run> {
  return node.sh(['curl', '-sS', '--max-time', '5', url]);
}
