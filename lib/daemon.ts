// `minipod daemon`: wires the parts together and serves the API. On SIGTERM/SIGINT it leaves the
// pods running for the next daemon to re-adopt (live restore), or, with --stop-pods-on-exit,
// stops every pod so nothing it made is left behind.
import { chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiServer } from './api/server.js';
import { DeploymentController } from './deploy/controller.js';
import { DeploymentStore } from './deploy/store.js';
import { BootClock } from './boot-clock.js';
import { tuneDaemonHeap } from './daemon-heap.js';
import { MinipodError } from './errors.js';
import { DNS_SUBDOMAIN } from './manifest/names.js';
import { ImageStore } from './image/store.js';
import { imageResolver } from './image/resolver.js';
import { IpBatch } from './os/ip-batch.js';
import { run } from './os/host.js';
import { resolveTools } from './os/tools.js';
import { checkCgroupName } from './cgroup/cgroup.js';
import { openPodCgroups } from './cgroup/pods.js';
import { checkPidsLimit, DEFAULT_PIDS_LIMIT, DEFAULT_POD_MAX_PIDS } from './cgroup/pod-pids.js';
import { log } from './log.js';
import { claimSocket, handoffIn, NODE_RUN_SOURCE, nodeRunMounted, predecessorGone } from './daemon-guards.js';
import { notifyReady } from './ready-notify.js';
import { bridgePorts, ensureBridge } from './network/bridge.js';
import { egressTool, enableEgress, parseNonMasquerade } from './network/egress.js';
import { HostPorts } from './network/hostports.js';
import { parseSubnet } from './network/ipam.js';
import { checkBridgeName } from './network/names.js';
import { secureDir } from './node/secure-dir.js';
import { NextSpare } from './node/next-spare.js';
import { nodePaths } from './node-paths.js';
import { DEFAULT_LOG_LIMITS, LogRotator, type LogLimits } from './pod/log-rotation.js';
import { allContainers } from './pod/init-status.js';
import { PodManager } from './pod/manager.js';
import { ProcessScan } from './process/sweep.js';
import { NETNS_DIR } from './sandbox/netns-name.js';
import { HolderPool } from './sandbox/pool.js';
import { LeaseStore } from './store/leases.js';
import { PodStore } from './store/pod-store.js';
import { BUILD, vouchedRecords } from './store/handoff.js';
import { EventLog } from './supervisor/events.js';
import { Supervisor } from './supervisor/supervisor.js';
import { readTopology } from './topology/gather.js';
import { DEFAULT_BACKOFF } from './pod/plan.js';
import { checkOciRuntime, DEFAULT_OCI_RUNTIME, notInstalled } from './runtime/oci-runtimes.js';
import { makeCrunUsable } from './runtime/crun-hybrid.js';
import { removeFile } from './util/remove-file.js';
import { dropStarted } from './os/prestart.js';

/** How long a shutdown waits, once the pods are stopped or left, for the answers to requests it took before: an image import still uploading is cut. */
const ANSWERS_AFTER_MS = 5000;

export interface DaemonOptions {
  stateDir: string;
  runDir: string;
  bridge: string;
  subnet: string;
  /** Set by `minipod node start`: we are in a node's own network + mount namespace. */
  nodeNamespace: boolean;
  /** Stop every pod on SIGTERM/SIGINT instead of leaving them running. */
  stopPodsOnExit: boolean;
  /** Masquerade pod traffic leaving the subnet and forward it (network/egress.ts); default: in a node only. */
  egress?: boolean;
  /** The node's name pods see as spec.nodeName (kubelet's --hostname-override); the hostname if unset. */
  nodeName?: string;
  /** --non-masquerade-cidrs as given: pod traffic to these keeps the pod's address (a cluster's pods and nodes, routed without NAT). */
  nonMasqueradeCidrs?: string;
  /** The pods' parent cgroup, relative to the cgroup2 root (each pod gets PARENT/pod-UID). */
  cgroupParent: string;
  /** --pids-limit as given: each image container's pids limit (cgroup/pod-pids.ts DEFAULT_PIDS_LIMIT when unset). */
  pidsLimit?: string;
  /** --oci-runtime as given: runc or crun (runtime/oci-runtimes.ts), runc when unset. */
  ociRuntime?: string;
  /** --pod-max-pids as given: each pod's pids limit, all its processes (cgroup/pod-pids.ts DEFAULT_POD_MAX_PIDS when unset). */
  podMaxPids?: string;
  /** --container-log-max-size/--container-log-max-files, checked (pod/log-rotation.ts). */
  containerLog?: LogLimits;
  /** --after PID:STARTTIME: the daemon this one replaces, still shutting down (`node restart`). */
  after?: string;
  /** --notify-socket PATH: the launcher's, told once the API answers (ready-notify.ts). */
  notifySocket?: string;
  /** --next-spare DIR: the node's directory; once answering, its next spare daemon is started (node/next-spare.ts). */
  nextSpare?: string;
  /** --handoff: ask the notify socket (in --run-dir) at once what the --after daemon vouched for (store/handoff.ts), answered once that one has answered its shutdown. */
  handoff?: boolean;
}

export const SOCKET_NAME = 'minipod.sock';
export async function runDaemon(opts: DaemonOptions): Promise<void> {
  if (process.getuid?.() !== 0) throw new MinipodError('INVALID_ARGUMENT', 'minipod daemon must run as root (it creates namespaces, veths and a bridge): use sudo');
  const clock = new BootClock();
  process.umask(0o077); // socket, state and logs are root-only
  tuneDaemonHeap();
  const subnet = parseSubnet(opts.subnet);
  const noNat = opts.nonMasqueradeCidrs !== undefined ? parseNonMasquerade(opts.nonMasqueradeCidrs) : undefined;
  if (opts.nodeName !== undefined && !DNS_SUBDOMAIN.test(opts.nodeName)) throw new MinipodError('INVALID_ARGUMENT', `--node-name ${JSON.stringify(opts.nodeName)}: give a DNS subdomain such as node-1 (lowercase letters, digits, "-" and ".")`);
  checkBridgeName(opts.bridge);
  checkCgroupName(opts.cgroupParent);
  const pidsLimit = opts.pidsLimit === undefined ? undefined : checkPidsLimit('--pids-limit', opts.pidsLimit, DEFAULT_PIDS_LIMIT);
  const podMaxPids = opts.podMaxPids === undefined ? DEFAULT_POD_MAX_PIDS : checkPidsLimit('--pod-max-pids', opts.podMaxPids, DEFAULT_POD_MAX_PIDS);
  const ociRuntime = checkOciRuntime(opts.ociRuntime ?? DEFAULT_OCI_RUNTIME, '--oci-runtime');
  if (opts.nextSpare !== undefined && nodePaths(opts.nextSpare).runDir !== path.resolve(opts.runDir)) throw new MinipodError('INVALID_ARGUMENT', `--next-spare ${JSON.stringify(opts.nextSpare)}: give the node directory whose run/ is the --run-dir (set by \`minipod node start\`)`);
  const nextSpare = opts.nextSpare !== undefined ? new NextSpare(opts.nextSpare) : undefined;
  // What the daemon it replaces vouched for (store/handoff.ts), passed on by `node restart`: asked at
  // once, its answer coming with that daemon's; only the records wait for it.
  const handoff = opts.handoff && opts.after !== undefined && opts.notifySocket !== undefined ? clock.time('handoff', handoffIn(opts.runDir, opts.notifySocket)) : Promise.resolve(undefined);
  // Started while the daemon it replaces shuts down, so that loading this one's code (and finding
  // the tools) overlaps that: nothing of the node is touched until that one is gone.
  const [tools] = await Promise.all([clock.time('tools', resolveTools()), opts.after !== undefined && clock.time('predecessorGone', predecessorGone(opts.after))]);
  if (!tools[ociRuntime]) throw notInstalled(ociRuntime, '--oci-runtime');
  // crun on a hybrid cgroup machine: possible in a node only (runtime/crun-hybrid.ts). Checked
  // now, so that a daemon that cannot run its containers starts nothing; a pod asking for crun
  // by its runtimeClassName on a runc node gets the same done (or refused) at its start.
  const prepareCrun = () => makeCrunUsable(opts.nodeNamespace, ociRuntime === 'crun' ? '--oci-runtime' : 'spec.runtimeClassName');
  if (ociRuntime === 'crun') await prepareCrun();
  if (opts.nodeNamespace && !(await nodeRunMounted())) {
    // A private /run, as a real node's would have (before our dirs, which may live under it);
    // made once per node: a restarted daemon finds it in place.
    await run([tools.mount, '-t', 'tmpfs', '-o', 'mode=0755', NODE_RUN_SOURCE, '/run']);
  }
  // Root's own, or refused: a directory another user controls would let them steer root's writes.
  opts = { ...opts, stateDir: await secureDir(opts.stateDir), runDir: await secureDir(opts.runDir) };
  const socket = path.join(opts.runDir, SOCKET_NAME);
  await clock.time('claimed', claimSocket(socket));

  // A signal that arrives while the pods are being restored is acted on once they are.
  let pendingSignal: NodeJS.Signals | undefined;
  let onSignal = (signal: NodeJS.Signals) => void (pendingSignal ??= signal);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => onSignal(signal));

  const ip = new IpBatch(tools.ip);
  const ipTeardown = new IpBatch(tools.ip);
  const pool = new HolderPool(opts.stateDir, process.env.MINIPOD_SPARE_HOLDER !== '0');
  // The bridge's ports, for the boot (pod/boot.ts), asked first: `ip` answers on the other core
  // while this thread reads the records and /proc (a bridge made below has none).
  const ports = new Map([[opts.bridge, clock.time('ports', bridgePorts(ip, opts.bridge))]]);
  // The network (the bridge and its NAT table) and the state (the records read and checked, leases,
  // images, cgroups) do not depend on each other: made side by side. The pods are observed and
  // adopted once the state is read; what acts on the node waits for the network (pod/boot.ts).
  const egress = (opts.egress ?? opts.nodeNamespace) ? egressTool() : 'off';
  const network = clock.time('network', (async () => {
    const bridge = (async () => {
      if (opts.nodeNamespace) await ip.run(['link set lo up']); // as on any booted machine
      await ensureBridge(ip, opts.bridge, subnet);
    })();
    await Promise.all([bridge, egress !== 'off' && enableEgress({ subnet: subnet.cidr, bridge: opts.bridge, ...(noNat ? { noNat } : {}) }, bridge)]);
  })());
  network.catch(() => {}); // awaited by the boot, and below
  const store = new PodStore(opts.stateDir, subnet);
  const leases = new LeaseStore(opts.stateDir);
  // What an import cut short by the last daemon left (tmp/, unnamed layers) goes before any pod starts.
  const images = new ImageStore(opts.stateDir);
  const records = clock.time('records', Promise.all([store.init(), handoff]).then(([, text]) => store.loadAll(vouchedRecords(text))));
  const state = Promise.all([records, leases.init(), images.init(), openPodCgroups(opts.cgroupParent, tools.cgexec, podMaxPids)]);
  // The boot's one pass over /proc (pod/boot.ts), beside them: nothing runs on the node that this
  // daemon did not start or find, until it answers.
  const scan = clock.time('scan', ProcessScan.take());
  scan.catch(() => {}); // awaited by the boot
  const [loaded, , , cgroups] = await clock.time('state', state);
  const events = new EventLog();
  const backoff = { ...DEFAULT_BACKOFF, ...(process.env.MINIPOD_BACKOFF_BASE_MS ? { baseMs: Number(process.env.MINIPOD_BACKOFF_BASE_MS) } : {}) };
  const pods = new PodManager({ node: { name: opts.nodeName ?? os.hostname(), stateDir: opts.stateDir, netnsDir: NETNS_DIR, bridge: opts.bridge, subnet, cgroups, ...(pidsLimit !== undefined ? { pidsLimit } : {}), ociRuntime, prepareCrun }, ip, ipTeardown, pool, store, leases, events, backoff, supervise: (ctx, registry) => new Supervisor(ctx, registry), images: imageResolver(images), ...(egress === 'nft' ? { hostPorts: new HostPorts({ madeEmpty: true }) } : {}) });
  // After a handoff (the old daemon answered its shutdown, leaving its pods), the boot's
  // housekeeping runs once this one answers; after a crash, or at a first start, before
  // (pod/housekeeping.ts).
  const handedOver = !!(await handoff);
  await clock.time('pods', pods.init(loaded, { housekeepLater: handedOver, scan, ports, network }));
  await network; // awaited by the boot already: its failure is thrown here
  // After the pods: the controller finds the ones it owns among them and makes none twice.
  const deploymentStore = new DeploymentStore(opts.stateDir);
  await deploymentStore.init();
  const deployments = new DeploymentController(deploymentStore, pods, events);
  await clock.time('deployments', deployments.init());
  const containerLog = opts.containerLog ?? DEFAULT_LOG_LIMITS;
  const rotator = new LogRotator(containerLog, () => pods.runningLogs());
  rotator.start();

  /** Starts the shutdown (after `after`, e.g. the API's reply going out); false if one is under way. */
  let stopping = false;
  const shutdown = (why: string, stopPods: boolean, after: Promise<unknown> = Promise.resolve()): boolean => {
    if (stopping) return false;
    stopping = true;
    void after
      .then(async () => {
        log.info({ why, stopPods }, stopPods ? 'stopping every pod' : 'leaving the pods running for the next daemon');
        server.stopTaking();
        await nextSpare?.close(); // one being started is recorded before this daemon goes
        rotator.stop();
        await deployments.stop(); // no pod made or replaced while they stop or are left running
        await (stopPods ? pods.stopAll() : pods.detachAll());
        // What was asked before is done (a create, an rm): its client hears how it went, not a
        // reset connection (a `node restart` while a `run` was under way said "not running").
        await server.answered(ANSWERS_AFTER_MS);
        server.closeAllConnections(); // the streams: logs -f, events -f, port-forward
        ip.close();
        ipTeardown.close();
        await removeFile(socket);
        log.info('minipod daemon stopped');
        process.exit(0);
      })
      .catch((err: Error) => {
        // Never a daemon that stopped serving but lives on: what is left, the next one finishes.
        log.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      });
    return true;
  };
  // `image rm` is refused while a pod's container was started from the image (kept until the pod is removed).
  const imageUsers = (id: string): string[] => pods.listAll().filter((r) => allContainers(r).some((c) => c.imageID === id)).map((r) => r.name);
  const topology = () => readTopology(opts.bridge, pods.list());
  const server = createApiServer({ pods, deployments, events, pool, images, imageUsers, topology, shutdown: (stopPods, after) => shutdown('API request', stopPods, after), handoff: () => (BUILD === undefined ? undefined : { build: BUILD, records: store.vouch() }) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });
  await chmod(socket, 0o600);
  // processMs: from the process's start (Node's own included; a spare's wait too), as containerd
  // says "booted in"; bootMs, cpuMs and phases from the line (boot-clock.ts).
  log.info({ socket, stateDir: opts.stateDir, bridge: opts.bridge, subnet: subnet.cidr, gateway: subnet.gateway, ociRuntime, egress, containerLog, pods: pods.list().length, vouched: loaded.vouched, housekeeping: handedOver ? 'once answering' : 'done', processMs: Math.round(performance.now() * 10) / 10, ...clock.summary() }, 'minipod daemon ready');
  // Once the launcher has heard it (a restart's command exits then): the node's next spare daemon,
  // the spare holders (two spawns, each blocking this thread for milliseconds) and the housekeeping
  // after a handoff, which, started at once, held the word back by about 20 ms (50 pods).
  const told = opts.notifySocket !== undefined ? notifyReady(opts.notifySocket) : Promise.resolve();
  void told.then(() => {
    dropStarted(); // the helpers a spare started that this boot did not take (prestart.ts)
    nextSpare?.start();
    pool.refill();
    if (handedOver) void pods.housekeep();
  });

  // Last line of defence: a promise nobody awaited must not take the daemon (and the
  // supervision of every pod) down with it.
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  onSignal = (signal) => void shutdown(signal, opts.stopPodsOnExit);
  if (pendingSignal) onSignal(pendingSignal);
}

