// Garbage: kernel objects, processes and files that no pod record owns — what a crash, a failed
// cleanup or a hand-made experiment leaves. `minipod gc` lists them (and says where each came
// from); with --fix, and at every daemon start, they are removed — but for a quarantined record
// and its logs, which a daemon start leaves for a person to read.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { bridgePorts } from '../network/bridge.js';
import { NAT_TABLE } from '../network/egress.js';
import type { StaleElement } from '../network/hostports.js';
import { staleElements } from '../network/hostports.js';
import { HOST_VETH_PREFIX } from '../network/names.js';
import { deleteVeth } from '../network/veth.js';
import { commandLine } from '../process/identity.js';
import { procLink, procLinkSync, tools, unmount } from '../os/host.js';
import { PinnedNamespace, ProcessScan } from '../process/sweep.js';
import { namespaceMounts } from '../process/namespace.js';
import { deleteNetnsName, listNetnsNames } from '../sandbox/netns-name.js';
import { QUARANTINE_SUFFIX, REASON_SUFFIX } from '../store/pod-store.js';
import { DEPLOYMENT_RECORDS_DIR } from '../store/quarantine.js';
import { allContainers } from './init-status.js';
import { keyOf } from '../manifest/pod-key.js';
import { NODE_SUBJECT, type PodContext } from './live.js';
import type { PodRecord } from './types.js';
import { orphanVolumes, removePodVolumes } from './volumes.js';

export interface Orphan {
  kind: 'veth' | 'lease' | 'logs' | 'record' | 'holder' | 'cgroup' | 'mount' | 'container' | 'console' | 'netns' | 'hostport' | 'volume';
  name: string;
  /** Where it came from, in words a person can check. */
  origin: string;
  /** Left at daemon start for a person to read (a quarantined record and its logs); `gc --fix` removes it. */
  kept?: true;
  /** A holder's pid and namespace, what removing it sweeps (never parsed back out of `name`). */
  pid?: number;
  netns?: string;
  /** A cgroup's pod uid, what removing it goes by (the node's pod cgroups, never a path parsed back); a lease's owner, which removing it checks. */
  uid?: string;
  /** A lease's: the pod whose record names its address, to whom removing it gives the lease back. */
  heldFor?: { name: string; namespace?: string; uid: string };
  /** An `ip netns` name minipod made, what removing it goes by. */
  netnsName?: string;
  /** A hostPort map element, what removing it deletes (and the pod's own under its key, put back). */
  hostPort?: Pick<StaleElement, 'element' | 'owner'>;
}

/**
 * Everything under our bridge, state dir and mount namespace that no record names. pods: the
 * records, asked once everything is read, so that a pod created meanwhile, and what it made, is
 * no orphan. seen: what the caller has read already (a daemon start: its one pass over /proc, the
 * bridge's ports); `minipod gc` reads them here, once.
 */
export async function findOrphans(ctx: PodContext, pods: () => PodRecord[], sparePids: readonly number[], seen: { scan?: ProcessScan; ports?: ReadonlySet<string> } = {}): Promise<Orphan[]> {
  const deployments = path.join(ctx.node.stateDir, DEPLOYMENT_RECORDS_DIR);
  const logs = path.join(ctx.node.stateDir, 'logs');
  // Every source read side by side (a daemon start waits for all of them, about a dozen reads and
  // three processes), then judged in order below.
  const [processes, ports, leases, storeFiles, deploymentFiles, logDirs, volumes, containerIds, consoles, cgroups, netnsNames, hostPortElements, mounts, ourMnt, ourNet] = await Promise.all([
    seen.scan ?? ProcessScan.take(),
    seen.ports ?? bridgePorts(ctx.ip, ctx.node.bridge),
    ctx.leases.scan(),
    readdir(ctx.store.dir),
    readdir(deployments).catch(() => [] as string[]),
    readdir(logs).catch(() => [] as string[]),
    orphanVolumes(ctx.node.stateDir, new Set(pods().map((r) => r.uid))), // judged again below
    ctx.runtime.list(),
    ctx.runtime.execLeftovers(),
    ctx.node.cgroups.list(),
    listNetnsNames(ctx.node),
    ctx.hostPorts?.list(),
    namespaceMounts(),
    procLink('self', 'ns/mnt'),
    procLink('self', 'ns/net'), // a node's own holder sits in it
  ]);
  const records = pods();
  const owners = new Set(records.map((r) => r.uid));
  const orphans: Orphan[] = [];
  const veths = new Set(records.flatMap((r) => [r.sandbox?.hostVeth, r.building?.hostVeth].filter(Boolean)));
  for (const veth of ports) {
    if (veth.startsWith(HOST_VETH_PREFIX) && !veths.has(veth)) orphans.push({ kind: 'veth', name: veth, origin: `a pod veth on ${ctx.node.bridge} that no pod record names (a crash mid-create or a failed cleanup)` });
  }
  // A lease of an address a record names is given back to its pod, never freed: the pod uses it.
  const addressOf = new Map(records.filter((r) => r.ip).map((r) => [r.ip, { name: r.name, namespace: r.namespace, uid: r.uid }]));
  for (const lease of leases) {
    const heldFor = addressOf.get(lease.ip);
    const back = heldFor ? { heldFor } : {};
    if ('problem' in lease) orphans.push({ kind: 'lease', name: lease.ip, origin: lease.problem, ...back });
    else if (!owners.has(lease.owner)) orphans.push({ kind: 'lease', name: lease.ip, origin: `leased to pod uid ${lease.owner}, which no longer exists`, uid: lease.owner, ...back });
  }
  const names = new Set(records.map(keyOf));
  const quarantined = new Set<string>();
  for (const file of storeFiles) {
    if (!file.endsWith(QUARANTINE_SUFFIX)) continue;
    const name = path.join(ctx.store.dir, file);
    const why = await ctx.store.quarantineReason(name);
    quarantined.add(file.slice(0, -`.json${QUARANTINE_SUFFIX}`.length));
    orphans.push({ kind: 'record', name, origin: `a pod record that failed validation, quarantined at daemon start and never run${why ? `: ${why.join('; ')}` : ''}`, kept: true });
  }
  for (const file of deploymentFiles.filter((f) => f.endsWith(QUARANTINE_SUFFIX))) {
    const why = await ctx.store.quarantineReason(path.join(deployments, file));
    orphans.push({ kind: 'record', name: path.join(deployments, file), origin: `a Deployment record that failed validation, quarantined at daemon start and never run${why ? `: ${why.join('; ')}` : ''}`, kept: true });
  }
  for (const dir of logDirs) {
    if (names.has(dir)) continue;
    if (quarantined.has(dir)) orphans.push({ kind: 'logs', name: path.join(logs, dir), origin: `logs of the quarantined record ${dir}.json${QUARANTINE_SUFFIX}`, kept: true });
    else orphans.push({ kind: 'logs', name: path.join(logs, dir), origin: 'logs of a pod that no longer exists' });
  }
  // A quarantined record's volumes are kept, as its logs are: what its pod wrote, for a person to read.
  for (const v of volumes.filter((v) => !owners.has(v.uid))) orphans.push({ kind: 'volume', name: v.dir, uid: v.uid, origin: quarantined.has(v.pod) ? `${v.origin}; kept: the record of pod ${v.pod} is quarantined` : v.origin, ...(quarantined.has(v.pod) ? { kept: true as const } : {}) });
  // A container's bundle (its overlay mount, runc's state) or shim files that no pod's container is: a crash between its start and its record.
  const containers = new Set(records.flatMap((r) => allContainers(r).filter((c) => c.state === 'Running').map((c) => c.containerID)).filter(Boolean));
  for (const id of containerIds) {
    if (!containers.has(id)) orphans.push({ kind: 'container', name: id, origin: id.startsWith('runc://') ? 'a container\'s bundle (root filesystem mount, runtime state) that no pod record names' : 'a container\'s shim files (its pid and exit status) that no pod record names' });
  }
  for (const dir of consoles) {
    orphans.push({ kind: 'console', name: dir, origin: 'the console socket directory of an `exec -t` into an image container whose daemon was killed during it' });
  }
  // What a pod started that left its namespaces stays in its cgroup, which outlives a lost record.
  for (const cg of cgroups) {
    if (owners.has(cg.uid)) continue;
    const held = (await Promise.all((await ctx.node.cgroups.pids(cg.uid)).map(async (pid) => `${pid} (${await commandLine(pid)})`))).join(', ');
    orphans.push({ kind: 'cgroup', name: cg.dir, uid: cg.uid, origin: `the cgroup of pod uid ${cg.uid}, which no record names${held ? `; it still holds ${held}` : ''}` });
  }
  // The `ip netns` names minipod made (its registry says which) for a pod that has no sandbox any
  // more, or no record: a daemon killed between two steps. Anybody else's name is never looked at.
  const sandboxes = new Map(records.filter((r) => r.sandbox || r.building).map((r) => [keyOf(r), r.uid]));
  for (const n of netnsNames) {
    if (n.uid && sandboxes.get(n.name) === n.uid) continue;
    orphans.push({ kind: 'netns', name: n.file, netnsName: n.name, origin: `the \`ip netns\` name minipod made for pod ${n.name} (uid ${n.uid ?? 'unknown'}), ${n.points ? `still holding ${n.points}` : 'holding nothing'}, which no pod's sandbox owns any more (a daemon killed between two steps)` });
  }
  // hostPort mappings no pod publishes: a DNAT to an address that may be another pod's by now.
  for (const s of hostPortElements ? staleElements(hostPortElements, records) : []) {
    const { map, key, value } = s.element;
    orphans.push({ kind: 'hostport', name: `${map} ${key} : ${value}`, hostPort: { element: s.element, ...(s.owner ? { owner: s.owner } : {}) }, origin: `an element of map ${map} in table ip ${NAT_TABLE} that DNATs ${key} to ${value}, which no pod owns: ${s.why} (made by hand, or left by a daemon killed between two steps)` });
  }
  // A pod's network namespace bind-mounted by one of its apps outlives the pod with no process in
  // it. Other `ip netns` names (under /run/netns) are somebody's on purpose and are left alone.
  const netnses = new Set(records.flatMap((r) => [r.sandbox?.netns, r.building?.netns].filter(Boolean)));
  const named = (target: string) => target.startsWith(`${ctx.node.netnsDir}/`) || /^\/(var\/)?run\/netns\//.test(target);
  const pinned = mounts.filter((m) => m.ns.startsWith('net:') && !netnses.has(m.ns) && !named(m.target));
  const inUse = processes.byNamespace('net');
  for (const m of pinned) {
    if (inUse.has(m.ns)) continue;
    orphans.push({ kind: 'mount', name: m.target, origin: `a bind mount that keeps ${m.ns} alive with no process in it and no pod owning it (an app's \`mount --bind /proc/self/ns/net …\`?)`, kept: true });
  }
  // Holders in our mount namespace (every process we start shares it) that hold no pod's sandbox.
  // Its mount namespace and executable are read only for a process in a network namespace that is
  // neither ours nor a pod's: every pod's holder and apps, and the machine's other processes, are
  // skipped before, with nothing read (the boot's pass over /proc reads network namespaces only).
  for (const { pid, mnt, net } of processes.entries) {
    if (sparePids.includes(pid) || !net || net === ourNet || netnses.has(net)) continue;
    if ((mnt ?? procLinkSync(pid, 'ns/mnt')) !== ourMnt) continue;
    if ((await procLink(pid, 'exe')) !== tools().pause) continue;
    orphans.push({ kind: 'holder', name: `pid ${pid} ${net}`, pid, netns: net, origin: 'a pause holder that holds no pod\'s sandbox (its namespace and anything in it go with it)' });
  }
  return orphans;
}

/**
 * Remove what findOrphans found; a holder goes with every process in its namespace. pods: the
 * records as they are now, asked again before each removal of what goes by name (a log directory,
 * an `ip netns` name, a hostPort key) or a lease given back: a pod made or removed since the search
 * (the boot's housekeeping runs beside requests) keeps what is its own by then.
 */
export async function removeOrphans(ctx: PodContext, orphans: Orphan[], scan?: ProcessScan, pods?: () => PodRecord[]): Promise<string[]> {
  // One that cannot be removed (a process stuck in the kernel, a directory where a lease should
  // be) is reported and the rest go on: a daemon start must not fail over garbage.
  const failed: string[] = [];
  // What runs goes first (a holder and what is in its namespace, a cgroup and what is in it), then
  // the files, which a process still running writes to (a shim its container's exit status).
  const order = (o: Orphan) => (o.kind === 'holder' || o.kind === 'cgroup' ? 0 : 1);
  for (const o of [...orphans].sort((a, b) => order(a) - order(b))) {
    if (pods && changedSince(o, pods())) continue;
    try {
      if (o.kind === 'veth') await deleteVeth(ctx.ipTeardown, o.name);
      else if (o.kind === 'lease' && o.heldFor) await giveBack(ctx, o.name, o.uid, o.heldFor.uid);
      else if (o.kind === 'lease') await ctx.ips.release(o.name, o.uid); // another pod's meanwhile: kept
      else if (o.kind === 'logs') await rm(o.name, { recursive: true, force: true });
      else if (o.kind === 'record') await Promise.all([o.name, `${o.name}${REASON_SUFFIX}`].map((f) => rm(f, { force: true })));
      else if (o.kind === 'cgroup') await ctx.node.cgroups.remove(o.uid!);
      else if (o.kind === 'mount') await unmount(o.name);
      else if (o.kind === 'netns') await deleteNetnsName(ctx.node, o.netnsName!);
      else if (o.kind === 'container') await ctx.runtime.remove(o.name);
      else if (o.kind === 'volume') await removePodVolumes(ctx.node.stateDir, o.uid!);
      else if (o.kind === 'console') await rm(o.name, { recursive: true, force: true });
      else if (o.kind === 'hostport') await ctx.hostPorts!.removeStale(o.hostPort!);
      else if (o.netns) await PinnedNamespace.sweepOnce('net', o.netns, [o.pid], { scan });
      if (o.heldFor) ctx.events.record(o.heldFor, 'LeaseRestored', `the lease of ${o.name} was not this pod's (${o.origin}): made again from the pod's record`, { type: 'Warning' });
      else ctx.events.record(NODE_SUBJECT, 'OrphanRemoved', `${o.kind} ${o.name}: ${o.origin}`, { type: 'Warning' });
    } catch (err) {
      failed.push(`${o.kind} ${o.name}: ${(err as Error).message}`);
      ctx.events.record(NODE_SUBJECT, 'CleanupFailed', `could not remove ${o.kind} ${o.name}: ${(err as Error).message}`, { type: 'Warning' });
    }
  }
  return failed;
}

/** The lease of ip made its pod's again (owner: the one it names now, if any), the address never free meanwhile: the allocator is not told. */
async function giveBack(ctx: PodContext, ip: string, owner: string | undefined, to: string): Promise<void> {
  if (!(await ctx.leases.release(ip, owner))) return; // another pod's meanwhile: kept
  if (await ctx.leases.acquire(ip, to)) await ctx.leases.durable(ip);
}

/** Whether the judgment of o no longer holds, the pods being records now: kept, for the next gc to judge again. */
function changedSince(o: Orphan, records: PodRecord[]): boolean {
  const sandboxed = (key: string) => records.some((r) => keyOf(r) === key && (r.sandbox || r.building));
  if (o.kind === 'logs') return records.some((r) => keyOf(r) === path.basename(o.name));
  if (o.kind === 'netns') return sandboxed(o.netnsName!);
  if (o.kind === 'hostport') {
    const [now] = staleElements([o.hostPort!.element], records);
    return !now || now.owner?.value !== o.hostPort!.owner?.value; // published since, or by another pod now
  }
  // A lease to give back: only to a pod that still names its address.
  if (o.kind === 'lease' && o.heldFor) return !records.some((r) => r.uid === o.heldFor!.uid && r.ip === o.name);
  return false;
}
