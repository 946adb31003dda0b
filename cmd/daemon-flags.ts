// The daemon's flags (flag-table.ts): yargs builds `minipod daemon` from them (commands/daemon.ts),
// and daemon-main.ts parses the lines a node's launcher writes without yargs.
import type { DaemonOptions } from '../lib/daemon.js';
import { DEFAULT_SUBNET } from '../lib/network/ipam.js';
import { DEFAULT_BRIDGE } from '../lib/network/names.js';
import { DEFAULT_LOG_FLAGS } from '../lib/pod/log-limits.js';
import { definedOnly } from '../lib/util/defined.js';
import { parseFlags, type Flag, type Parsed } from './flag-table.js';
import { checkLogFlags, LOG_FLAG_DESCRIPTIONS } from './log-flags.js';

/** In --help's order. */
export const DAEMON_FLAGS = {
  'state-dir': { type: 'string', default: '/var/lib/minipod', describe: 'Pod records, leases and logs' },
  'run-dir': { type: 'string', default: '/run/minipod', describe: 'Holds the API socket minipod.sock' },
  bridge: { type: 'string', default: DEFAULT_BRIDGE, describe: 'Bridge the pods attach to' },
  subnet: { type: 'string', default: DEFAULT_SUBNET, describe: 'Pod subnet; the bridge takes the first address' },
  'stop-pods-on-exit': { type: 'boolean', default: false, describe: 'On SIGTERM/SIGINT stop every pod; by default they keep running and the next daemon re-adopts them' },
  'cgroup-parent': { type: 'string', default: 'minipod', describe: 'Parent cgroup of the pods (cgroup2, relative to its root): each pod runs in PARENT/pod-UID' },
  egress: { type: 'boolean', describe: "Masquerade pods' traffic to addresses outside the subnet and enable forwarding (nftables, else iptables); default: on in a node namespace, off on the host's own network" },
  'node-name': { type: 'string', describe: "The node's name, what pods read as spec.nodeName (default: the hostname; `minipod cluster start` names its nodes node-N)" },
  'non-masquerade-cidrs': { type: 'string', describe: "Networks pods reach without NAT besides their own subnet, comma-separated (as ip-masq-agent's nonMasqueradeCIDRs; `minipod cluster start` sets the cluster's pod CIDR and its nodes)" },
  'pids-limit': { type: 'string', describe: 'Most processes and threads an image container may have at once (pids.max; default 1024)' },
  'pod-max-pids': { type: 'string', describe: "Most processes and threads a pod may have at once, all its containers and execs together (kubelet's --pod-max-pids; default 4096)" },
  'oci-runtime': { type: 'string', default: 'runc', describe: 'The OCI runtime image containers run under: runc or crun (a pod may name another in spec.runtimeClassName)' },
  'container-log-max-size': { type: 'string', default: DEFAULT_LOG_FLAGS.maxSize, describe: LOG_FLAG_DESCRIPTIONS['container-log-max-size'] },
  'container-log-max-files': { type: 'string', default: DEFAULT_LOG_FLAGS.maxFiles, describe: LOG_FLAG_DESCRIPTIONS['container-log-max-files'] },
  'node-namespace': { type: 'boolean', default: false, hidden: true, describe: 'Set by `minipod node start`' },
  after: { type: 'string', hidden: true, describe: 'PID:STARTTIME of the daemon this one replaces (`minipod node restart`): waited for before anything is touched' },
  'notify-socket': { type: 'string', hidden: true, describe: 'A unix socket the daemon says "ready" on once it serves its API (`minipod node start|restart` listen there)' },
  'next-spare': { type: 'string', hidden: true, describe: "A node's directory (`minipod node start|restart`): once the daemon answers, it starts the node's next spare daemon (DIR/spare.pid, DIR/run/spare.sock)" },
  handoff: { type: 'boolean', default: false, hidden: true, describe: 'Ask the --notify-socket at once for what the --after daemon vouched for, answered once it has answered its shutdown (`minipod node restart`)' },
} as const satisfies Record<string, Flag>;

/** A daemon command line, parsed. */
export type DaemonArgs = Parsed<typeof DAEMON_FLAGS>;

/** The flags of a `daemon …` line, or undefined if parseFlags is not sure of them (yargs takes it). */
export function parseDaemonLine(args: readonly string[]): DaemonArgs | undefined {
  return args[0] === 'daemon' ? parseFlags(args.slice(1), DAEMON_FLAGS) : undefined;
}

/** What runDaemon is given for a parsed line; a bad log flag is a usage error (exit 2). */
export function daemonOptions(argv: DaemonArgs): DaemonOptions {
  const optional = { pidsLimit: argv['pids-limit'], podMaxPids: argv['pod-max-pids'], egress: argv.egress, nodeName: argv['node-name'], nonMasqueradeCidrs: argv['non-masquerade-cidrs'], after: argv.after, notifySocket: argv['notify-socket'], handoff: argv.handoff || undefined, nextSpare: argv['next-spare'] };
  return {
    stateDir: argv['state-dir'],
    runDir: argv['run-dir'],
    bridge: argv.bridge,
    subnet: argv.subnet,
    nodeNamespace: argv['node-namespace'],
    stopPodsOnExit: argv['stop-pods-on-exit'],
    cgroupParent: argv['cgroup-parent'],
    ociRuntime: argv['oci-runtime'],
    containerLog: checkLogFlags(argv),
    // Only what was given: an absent flag leaves runDaemon's own default.
    ...definedOnly(optional),
  };
}
