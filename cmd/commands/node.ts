// `minipod node …`: run a daemon in its own network + mount namespace (see lib/node).
import os from 'node:os';
import path from 'node:path';
import type { Argv } from 'yargs';
import { MinipodError } from '../../lib/errors.js';
import { fail, usage, verb } from '../common.js';

const DEFAULT_DIR = path.join(os.tmpdir(), 'minipod-node');
type Args = { action: 'start' | 'stop' | 'exec' | 'env'; dir: string; bridge?: string; subnet?: string; command?: string[] };

const load = () => import('../../lib/node/node-namespace.js');

export const node = verb<Args>({
  command: 'node <action> [command..]',
  describe: 'An isolated node: start | stop | exec -- CMD | env',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['start', 'stop', 'exec', 'env'] as const, describe: 'What to do' })
      .option('dir', { type: 'string', default: DEFAULT_DIR, describe: 'Where the node keeps its state, socket and daemon log' })
      .option('bridge', { type: 'string', describe: 'Bridge name (start)' })
      .option('subnet', { type: 'string', describe: 'Pod subnet (start)' })
      .example('$0 node start && eval "$($0 node env)"', 'start a node and point the CLI at it')
      .example('$0 node exec -- curl -s 10.88.0.2', 'run a command on the node'),
  handler: async (argv) => {
    const { startNode, stopNode, readNode, nodeExecArgv, nodePaths } = await load();
    const { action } = argv;
    try {
      if (action === 'start') {
        const n = await startNode(argv.dir, { bridge: argv.bridge, subnet: argv.subnet });
        process.stdout.write(`node started: daemon pid ${n.pid}, state ${n.stateDir}, log ${path.join(n.dir, 'daemon.log')}\nexport MINIPOD_SOCKET=${n.socket}\n`);
      } else if (action === 'env') {
        process.stdout.write(`export MINIPOD_SOCKET=${nodePaths(argv.dir).socket}\n`);
      } else if (action === 'stop') {
        if (!(await stopNode(argv.dir))) throw new MinipodError('NOT_FOUND', `no node is running in ${argv.dir}`);
        process.stdout.write('node stopped\n');
      } else {
        const command = [...(argv.command ?? []), ...((argv['--'] as string[] | undefined) ?? [])].map(String);
        if (!command.length) usage('node exec needs a command: minipod node exec -- CMD [ARGS…]');
        const n = await readNode(argv.dir);
        if (!n) throw new MinipodError('NOT_FOUND', `no node is running in ${argv.dir}: start one with \`minipod node start\``);
        const { runAttached } = await import('../../lib/exec/run.js');
        process.exit(await runAttached(nodeExecArgv(n, command)));
      }
    } catch (err) {
      fail(err);
    }
  },
});
