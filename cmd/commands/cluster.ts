// `minipod cluster …`: several nodes on one machine on a shared underlay, joined without NAT (lib/node/cluster.ts).
import type { Argv } from 'yargs';
import { MinipodError } from '../../lib/errors.js';
import { nodePaths } from '../../lib/node-paths.js';
import { fail, verb } from '../common.js';

type Args = { action: 'start' | 'stop' | 'env'; name?: string; dir: string; nodes: number };
const load = () => import('../../lib/node/cluster.js');
const DEFAULT_DIR = '/var/lib/minipod-cluster';

export const cluster = verb<Args>({
  command: 'cluster <action> [name]',
  describe: 'Several nodes joined without NAT: start --nodes N | stop | env NODE (node-1, node-2…)',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['start', 'stop', 'env'] as const, describe: 'What to do' })
      .positional('name', { type: 'string', describe: 'env: the node (node-1 … node-N)' })
      .option('dir', { type: 'string', default: DEFAULT_DIR, describe: 'Where the cluster keeps its outside and its nodes (DIR/node-N)' })
      .option('nodes', { type: 'number', default: 2, describe: 'start: how many nodes (1-50); node N gets pods in 10.88.N.0/24 and 192.0.2.(10+N) on the underlay' })
      .example('$0 cluster start --nodes 2 && eval "$($0 cluster env node-2)"', 'two nodes, the CLI pointed at the second')
      .example('$0 node exec --dir /var/lib/minipod-cluster/node-1 -- curl -s 10.88.2.2', 'a pod on node 2 from node 1'),
  handler: async (argv) => {
    const { startCluster, stopCluster, memberDir } = await load();
    try {
      if (argv.action === 'start') {
        const nodes = await startCluster(argv.dir, argv.nodes);
        for (const [i, n] of nodes.entries()) process.stdout.write(`node-${i + 1}: daemon pid ${n.pid}, pods in 10.88.${i + 1}.0/24, export MINIPOD_SOCKET=${n.socket}\n`);
      } else if (argv.action === 'stop') {
        process.stdout.write((await stopCluster(argv.dir)) ? 'cluster stopped\n' : `no cluster is running in ${argv.dir}: nothing to stop\n`);
      } else {
        const index = /^node-(\d+)$/.exec(argv.name ?? '')?.[1];
        if (!index) throw new MinipodError('INVALID_ARGUMENT', `cluster env needs a node name such as node-1, not ${JSON.stringify(argv.name ?? '')}`);
        process.stdout.write(`export MINIPOD_SOCKET=${nodePaths(memberDir(argv.dir, Number(index))).socket}\n`);
      }
    } catch (err) {
      fail(err);
    }
  },
});
