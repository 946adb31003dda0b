import { fail, verb } from '../common.js';
import { checkLogFlags, logFlagOptions, type LogFlagArgs } from '../log-flags.js';

export const daemon = verb<{ 'state-dir': string; 'run-dir': string; bridge: string; subnet: string; 'node-namespace': boolean; 'stop-pods-on-exit': boolean; 'cgroup-parent': string; 'pids-limit'?: string; 'pod-max-pids'?: string; egress?: boolean; 'oci-runtime': string; 'non-masquerade-cidrs'?: string; 'node-name'?: string; after?: string } & LogFlagArgs>({
  command: 'daemon',
  describe: 'Run the minipod daemon (as root) in the current namespaces',
  builder: (y) =>
    logFlagOptions(
      y
        .option('state-dir', { type: 'string', default: '/var/lib/minipod', describe: 'Pod records, leases and logs' })
        .option('run-dir', { type: 'string', default: '/run/minipod', describe: 'Holds the API socket minipod.sock' })
        .option('bridge', { type: 'string', default: 'minipod0', describe: 'Bridge the pods attach to' })
        .option('subnet', { type: 'string', default: '10.88.0.0/16', describe: 'Pod subnet; the bridge takes the first address' })
        .option('stop-pods-on-exit', { type: 'boolean', default: false, describe: 'On SIGTERM/SIGINT stop every pod; by default they keep running and the next daemon re-adopts them' })
        .option('cgroup-parent', { type: 'string', default: 'minipod', describe: 'Parent cgroup of the pods (cgroup2, relative to its root): each pod runs in PARENT/pod-UID' })
        .option('egress', { type: 'boolean', describe: "Masquerade pods' traffic to addresses outside the subnet and enable forwarding (nftables, else iptables); default: on in a node namespace, off on the host's own network" })
        .option('node-name', { type: 'string', describe: "The node's name, what pods read as spec.nodeName (default: the hostname; `minipod cluster start` names its nodes node-N)" })
        .option('non-masquerade-cidrs', { type: 'string', describe: "Networks pods reach without NAT besides their own subnet, comma-separated (as ip-masq-agent's nonMasqueradeCIDRs; `minipod cluster start` sets the cluster's pod CIDR and its nodes)" })
        .option('pids-limit', { type: 'string', describe: 'Most processes and threads an image container may have at once (pids.max; default 1024)' })
        .option('pod-max-pids', { type: 'string', describe: "Most processes and threads a pod may have at once, all its containers and execs together (kubelet's --pod-max-pids; default 4096)" })
        .option('oci-runtime', { type: 'string', default: 'runc', describe: 'The OCI runtime image containers run under: runc or crun (a pod may name another in spec.runtimeClassName)' }),
      true,
    )
      .option('node-namespace', { type: 'boolean', default: false, hidden: true, describe: 'Set by `minipod node start`' })
      .option('after', { type: 'string', hidden: true, describe: 'PID:STARTTIME of the daemon this one replaces (`minipod node restart`): waited for before anything is touched' }),
  handler: async (argv) => {
    const containerLog = checkLogFlags(argv);
    const { runDaemon } = await import('../../lib/daemon.js');
    await runDaemon({ stateDir: argv['state-dir'], runDir: argv['run-dir'], bridge: argv.bridge, subnet: argv.subnet, nodeNamespace: argv['node-namespace'], stopPodsOnExit: argv['stop-pods-on-exit'], cgroupParent: argv['cgroup-parent'], ...(argv['pids-limit'] !== undefined ? { pidsLimit: argv['pids-limit'] } : {}), ...(argv['pod-max-pids'] !== undefined ? { podMaxPids: argv['pod-max-pids'] } : {}), ...(argv.egress !== undefined ? { egress: argv.egress } : {}), ...(argv['node-name'] !== undefined ? { nodeName: argv['node-name'] } : {}), ...(argv['non-masquerade-cidrs'] !== undefined ? { nonMasqueradeCidrs: argv['non-masquerade-cidrs'] } : {}), ociRuntime: argv['oci-runtime'], containerLog, ...(argv.after !== undefined ? { after: argv.after } : {}) }).catch(fail);
  },
});
