// The node's uplink and the "outside": a stand-in for the rest of the world, so that pod egress
// can be seen working without a packet leaving the machine's own network. The outside is a network
// namespace minipod makes, held by a pause process (DIR/outside.pid, in the node's cgroup), with a
// bridge `underlay0` at OUTSIDE_ADDR. The node gets a veth into it: `uplink0` at NODE_ADDR in the
// node, its default route via OUTSIDE_ADDR. Pods then reach OUTSIDE_ADDR through the node, which
// masquerades them (network/egress.ts): a server there sees NODE_ADDR, never a pod's IP.
// Addresses are TEST-NET-1 (RFC 5737), which is never routed anywhere real.
//
// It lives as long as the node: a daemon restart leaves it, `node stop` kills it (by its recorded
// identity, and the node's cgroup), and with it the veth pair. Commands run there (`node exec
// --outside`) enter the node's mount namespace too, so `node stop`'s sweep of the node ends them.
import { MinipodError } from '../errors.js';
import { linkNames } from '../network/link-gone.js';
import { nodePaths } from '../node-paths.js';
import { kill, run, tools } from '../os/host.js';
import { nsenterArgv } from '../process/nsenter.js';
import { readIdentity, writeIdentity, type Paths } from './daemon-process.js';
import { spawnNodePause } from './node-holder.js';
import { memberAddr, memberSubnet, type Member } from './members.js';
import { savedOptions } from './options.js';

export const UNDERLAY = { bridge: 'underlay0', cidr: '192.0.2.0/24', prefix: 24 };
export const OUTSIDE_ADDR = '192.0.2.1';
export const NODE_ADDR = '192.0.2.10';
export const UPLINK = 'uplink0';

export async function readOutside(dir: string): Promise<number | undefined> {
  return readIdentity(nodePaths(dir).outsideFile);
}

/** Where the outside of the node in dir is recorded: its own, or its cluster's (node.json). */
export async function outsideDir(dir: string): Promise<string> {
  return (await savedOptions(nodePaths(dir).optionsFile)).cluster?.dir ?? dir;
}

/** `ip -batch -` in the network namespace of pid. */
async function ipIn(pid: number, lines: string[]): Promise<void> {
  await run(nsenterArgv(tools().nsenter, pid, ['net'], [tools().ip, '-batch', '-']), { input: `${lines.join('\n')}\n` });
}

/** A new outside: its holder (recorded in DIR/outside.pid, in DIR's cgroup) and its bridge. */
export async function makeOutside(p: Paths): Promise<number> {
  const pid = await startOutsideHolder(p);
  try {
    await ipIn(pid, ['link set lo up', `link add ${UNDERLAY.bridge} type bridge`, `addr add ${OUTSIDE_ADDR}/${UNDERLAY.prefix} dev ${UNDERLAY.bridge}`, `link set ${UNDERLAY.bridge} up`]);
    await writeIdentity(p.outsideFile, pid);
    return pid;
  } catch (err) {
    kill(pid, 'SIGKILL'); // its namespace goes with it
    throw err;
  }
}

/**
 * The node's uplink, made if missing: into its own outside (made too if it died with a crash: the
 * veth went with it), or, for a cluster member, into the cluster's, with a route to each other
 * member's pod subnet via that member's underlay address (flannel's host-gw).
 */
export async function ensureUplink(p: Paths, nodeHolder: number, member?: Member): Promise<void> {
  const hasUplink = linkNames(nodeHolder)?.has(UPLINK) ?? false; // read from /proc: no process to enter the node for
  const outside = member ? await readOutside(member.dir) : await readOutside(p.dir);
  if (member && !outside) throw new MinipodError('NOT_FOUND', `the cluster in ${member.dir} has no outside running: start it with \`minipod cluster start --dir ${member.dir}\``);
  if (outside && hasUplink) return;
  const pid = outside ?? (await makeOutside(p));
  const peer = member ? `up-node${member.index}` : 'up-node';
  const addr = member ? memberAddr(member.index) : NODE_ADDR;
  const routes = member ? Array.from({ length: member.size }, (_, i) => i + 1).filter((i) => i !== member.index).map((i) => `route replace ${memberSubnet(i)} via ${memberAddr(i)} dev ${UPLINK}`) : [];
  // A node that died (a crash, a reboot) leaves its uplink's peer in the outside until the kernel
  // has freed the node's old namespace, which it does asynchronously: that name would be taken.
  if (outside) await ipIn(pid, [`link del ${peer}`]).catch(() => {}); // none: nothing to do
  // Made in the node, its peer moved into the outside at once: no end ever sits in the host's namespace.
  await ipIn(nodeHolder, [`link add ${UPLINK} type veth peer name ${peer} netns ${pid}`]);
  await ipIn(pid, [`link set ${peer} master ${UNDERLAY.bridge}`, `link set ${peer} up`]);
  await ipIn(nodeHolder, [`addr replace ${addr}/${UNDERLAY.prefix} dev ${UPLINK}`, `link set ${UPLINK} up`, `route replace default via ${OUTSIDE_ADDR} dev ${UPLINK}`, ...routes]);
}

/** A pause in a network namespace of its own, in the node's cgroup. */
async function startOutsideHolder(p: Paths): Promise<number> {
  return (await spawnNodePause(p, [tools().unshare, '--net', '--', tools().pause], "the node's outside namespace")).pid;
}

/** Kill the outside holder (its namespace and the uplink's peer go with it). */
export async function stopOutside(p: Paths): Promise<void> {
  const pid = await readOutside(p.dir);
  if (pid) kill(pid, 'SIGKILL');
}

/** argv that runs a command in the outside's network namespace and the node's mount namespace. */
export function outsideExecArgv(nodeHolder: number, outside: number, argv: string[], nsenter = 'nsenter'): string[] {
  return [nsenter, `--target=${nodeHolder}`, '--mount', `--net=/proc/${outside}/ns/net`, '--', ...argv];
}
