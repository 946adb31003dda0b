// `minipod node …`: run a daemon in its own network + mount namespace (see lib/node).
import path from 'node:path';
import type { Argv } from 'yargs';
import { MinipodError } from '../../lib/errors.js';
import { DEFAULT_NODE_DIR, nodeDirOf } from '../../lib/node-paths.js';
import { fail, nodeDir, usage, verb, type GlobalArgs } from '../common.js';
import { parseFlags, withFlags, type FlagTable, type Parsed } from '../flag-table.js';
import { checkLogFlags, LOG_FLAG_DESCRIPTIONS, type LogFlagArgs } from '../log-flags.js';

// The node behind $MINIPOD_SOCKET, if it points at one (what `node start` told you to export).
const DEFAULT_DIR = nodeDirOf(process.env.MINIPOD_SOCKET) ?? DEFAULT_NODE_DIR;
/** In --help's order; the log flags have no default: a node keeps its own (node.json). */
const NODE_FLAGS = {
  'container-log-max-size': { type: 'string', describe: LOG_FLAG_DESCRIPTIONS['container-log-max-size'] },
  'container-log-max-files': { type: 'string', describe: LOG_FLAG_DESCRIPTIONS['container-log-max-files'] },
  dir: { type: 'string', default: DEFAULT_DIR, describe: 'Where the node keeps its state, socket and daemon log (default: the node of $MINIPOD_SOCKET, if it is one)' },
  bridge: { type: 'string', describe: 'Bridge name (start)' },
  subnet: { type: 'string', describe: 'Pod subnet (start)' },
  'stop-pods-on-exit': { type: 'boolean', describe: "The daemon's --stop-pods-on-exit (start, restart)" },
  'oci-runtime': { type: 'string', describe: "The daemon's --oci-runtime: runc (default) or crun (start, restart)" },
  'pids-limit': { type: 'string', describe: "The daemon's --pids-limit: each image container's (start, restart)" },
  'pod-max-pids': { type: 'string', describe: "The daemon's --pod-max-pids: each pod's, all its processes (start, restart)" },
  outside: { type: 'boolean', describe: "exec: run the command in the node's outside namespace (the stand-in for the rest of the world, 192.0.2.1) instead of the node" },
} as const satisfies FlagTable;

const ACTIONS = ['start', 'stop', 'restart', 'exec', 'env'] as const;
/** What parseNodeLine takes (bin/minipod.js knows them too): exec has a command of its own. */
const QUICK_ACTIONS = ACTIONS.filter((a) => a !== 'exec');
type Args = { action: (typeof ACTIONS)[number]; command?: string[]; '--'?: string[] } & Parsed<typeof NODE_FLAGS> & GlobalArgs;

/**
 * `node start|stop|restart|env` and flags of the table only, parsed without yargs (node-main.ts:
 * a restart waits for this process, then for the daemon it starts); undefined for any other line.
 */
export function parseNodeLine(args: readonly string[]): Args | undefined {
  const [word, action, ...rest] = args;
  const quick = QUICK_ACTIONS.find((a) => a === action);
  const flags = word === 'node' && quick ? parseFlags(rest, NODE_FLAGS) : undefined;
  return flags && quick && { ...flags, action: quick };
}

const load = () => import('../../lib/node/node-namespace.js');

export const node = verb<Args>({
  command: 'node <action> [command..]',
  describe: 'An isolated node: start | stop | restart (the daemon; pods keep running) | exec -- CMD | env',
  builder: (y: Argv) =>
    withFlags(y.positional('action', { choices: ACTIONS, describe: 'What to do' }), NODE_FLAGS)
      .example('$0 node start && eval "$($0 node env)"', 'start a node and point the CLI at it')
      .example('$0 node exec -- curl -s 10.88.0.2', 'run a command on the node')
      .example('$0 node exec --outside -- busybox httpd -f -p 192.0.2.1:8000', 'run a server outside the node, for pods to reach through its NAT'),
  handler: (argv) => runNode(argv),
});

/** The verb, however its line was parsed. */
export async function runNode(argv: Args): Promise<void> {
  const { startNode, stopNode, restartNode, readHolder, nodeExecTarget, nodeExecArgv, nodePaths } = await load();
  const { action } = argv;
  if (argv.node !== undefined) argv.dir = nodeDir(argv); // a cluster node by name
  const opts = { bridge: argv.bridge, subnet: argv.subnet, ...(argv['stop-pods-on-exit'] !== undefined ? { stopPodsOnExit: argv['stop-pods-on-exit'] } : {}), ...(argv['pids-limit'] !== undefined ? { pidsLimit: argv['pids-limit'] } : {}), ...(argv['pod-max-pids'] !== undefined ? { podMaxPids: argv['pod-max-pids'] } : {}), ...(argv['oci-runtime'] !== undefined ? { ociRuntime: argv['oci-runtime'] } : {}), ...logOptions(argv) };
  try {
    if (action === 'start' || action === 'restart') {
      const existing = await readHolder(argv.dir);
      const n = action === 'start' ? await startNode(argv.dir, opts) : await restartNode(argv.dir, opts);
      // A restart is of a running node, its holder replaced first if it had died (said on stderr).
      const what = existing || action === 'restart' ? `daemon ${action === 'start' ? 'started' : 'restarted'} on the running node (holder pid ${n.holderPid}); pods still running there are re-adopted` : `node started (holder pid ${n.holderPid})`;
      process.stdout.write(`${what}: daemon pid ${n.pid}, state ${n.stateDir}, log ${path.join(n.dir, 'daemon.log')}\nexport MINIPOD_SOCKET=${n.socket}\n`);
    } else if (action === 'env') {
      process.stdout.write(`export MINIPOD_SOCKET=${nodePaths(argv.dir).socket}\n`);
    } else if (action === 'stop') {
      // Idempotent, as stopping is everywhere in minipod: no node is a node stopped.
      process.stdout.write((await stopNode(argv.dir)) ? 'node stopped\n' : `no node is running in ${argv.dir}: nothing to stop\n`);
    } else {
      const command = [...(argv.command ?? []), ...((argv['--'] as string[] | undefined) ?? [])].map(String);
      if (!command.length) usage('node exec needs a command: minipod node exec -- CMD [ARGS…]');
      const holderPid = await nodeExecTarget(argv.dir);
      if (!holderPid) throw new MinipodError('NOT_FOUND', `no node is running in ${argv.dir}: start one with \`minipod node start\``);
      const { runAttached } = await import('../../lib/os/host.js');
      const { resolveTools } = await import('../../lib/os/tools.js');
      const { nsenter } = await resolveTools();
      if (!argv.outside) process.exit(await runAttached(nodeExecArgv({ holderPid }, command, nsenter)));
      const { readOutside, outsideExecArgv, outsideDir } = await import('../../lib/node/outside.js');
      const outside = await readOutside(await outsideDir(argv.dir));
      if (!outside) throw new MinipodError('NOT_FOUND', `the node in ${argv.dir} has no outside namespace running: restart it with \`minipod node stop\` and \`minipod node start\``);
      process.exit(await runAttached(outsideExecArgv(holderPid, outside, command, nsenter)));
    }
  } catch (err) {
    fail(err);
  }
}

/** The log flags given (checked now: a bad value is a usage error before any node is touched). */
function logOptions(argv: LogFlagArgs): { containerLogMaxSize?: string; containerLogMaxFiles?: string } {
  const size = argv['container-log-max-size'];
  const files = argv['container-log-max-files'];
  if (size !== undefined || files !== undefined) checkLogFlags(argv);
  return { ...(size !== undefined ? { containerLogMaxSize: size } : {}), ...(files !== undefined ? { containerLogMaxFiles: files } : {}) };
}
