// The daemon's flags, in one table read two ways: yargs builds `minipod daemon` from it
// (commands/daemon.ts, with --help), and daemon-main.ts parses the lines a node's launcher writes
// without yargs (issue 13: a restart's new daemon loads its code while the old one goes). One
// table, so both take the same names, types and defaults.
import type { DaemonOptions } from '../lib/daemon.js';
import { DEFAULT_LOG_FLAGS } from '../lib/pod/log-limits.js';
import { checkLogFlags, LOG_FLAG_DESCRIPTIONS } from './log-flags.js';

interface Flag {
  type: 'string' | 'boolean';
  default?: string | boolean;
  describe: string;
  /** Set by `minipod node start|restart`, not typed by a person: left out of --help. */
  hidden?: boolean;
}

/** In --help's order. */
export const DAEMON_FLAGS = {
  'state-dir': { type: 'string', default: '/var/lib/minipod', describe: 'Pod records, leases and logs' },
  'run-dir': { type: 'string', default: '/run/minipod', describe: 'Holds the API socket minipod.sock' },
  bridge: { type: 'string', default: 'minipod0', describe: 'Bridge the pods attach to' },
  subnet: { type: 'string', default: '10.88.0.0/16', describe: 'Pod subnet; the bridge takes the first address' },
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
} as const satisfies Record<string, Flag>;

type Flags = typeof DAEMON_FLAGS;
type Value<F> = F extends { type: 'boolean' } ? boolean : string;

/** A daemon command line, parsed: a flag with a default always has a value. */
export type DaemonArgs = { [K in keyof Flags]: Flags[K] extends { default: unknown } ? Value<Flags[K]> : Value<Flags[K]> | undefined };

/**
 * The flags of a `daemon …` line, or undefined if the line is not one this parser is sure of:
 * each flag once, as --name VALUE, --name=VALUE or (a boolean) a bare --name, and nothing else.
 * yargs takes the rest (--help, --no-egress, a repeated flag, a value that starts with "-").
 */
export function parseDaemonLine(args: readonly string[]): DaemonArgs | undefined {
  if (args[0] !== 'daemon') return undefined;
  const given: Record<string, string | boolean> = {};
  for (let i = 1; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(args[i]!);
    const name = m?.[1];
    if (!name || !Object.hasOwn(DAEMON_FLAGS, name) || Object.hasOwn(given, name)) return undefined;
    const inline = m[2];
    if (DAEMON_FLAGS[name as keyof Flags].type === 'boolean') {
      if (inline !== undefined) return undefined;
      given[name] = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || value.startsWith('-')) return undefined;
    given[name] = value;
  }
  const defaults = Object.fromEntries(Object.entries(DAEMON_FLAGS).flatMap(([name, flag]) => ('default' in flag ? [[name, flag.default]] : [])));
  return { ...defaults, ...given } as DaemonArgs;
}

/** What runDaemon is given for a parsed line; a bad log flag is a usage error (exit 2). */
export function daemonOptions(argv: DaemonArgs): DaemonOptions {
  const optional = { pidsLimit: argv['pids-limit'], podMaxPids: argv['pod-max-pids'], egress: argv.egress, nodeName: argv['node-name'], nonMasqueradeCidrs: argv['non-masquerade-cidrs'], after: argv.after };
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
    ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as Partial<DaemonOptions>),
  };
}
