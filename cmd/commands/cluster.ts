// `minipod cluster …`: several nodes on one machine on a shared underlay, joined without NAT (lib/node/cluster.ts).
import type { Argv } from 'yargs';
import { clusterDirOf, nodePaths } from '../../lib/node-paths.js';
import { fail, nodeDir, usage, verb, type GlobalArgs } from '../common.js';
import { printTable } from '../output/pods.js';

type Args = { action: 'start' | 'stop' | 'ls' | 'env'; name?: string; nodes: number } & GlobalArgs;
const load = () => import('../../lib/node/cluster.js');

export const cluster = verb<Args>({
  command: 'cluster <action> [name]',
  describe: 'Several nodes joined without NAT, as flannel host-gw joins them: start --nodes N | stop | ls | env NODE',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['start', 'stop', 'ls', 'env'] as const, describe: 'What to do' })
      .positional('name', { type: 'string', describe: 'env: the node (node-1 … node-N)' })
      .option('nodes', { type: 'number', default: 2, describe: 'start: how many nodes (1-50); node N gets pods in 10.88.N.0/24 and 192.0.2.(10+N) on the underlay' })
      .example('$0 cluster start --nodes 2', 'two nodes on one underlay, in /var/lib/minipod-cluster')
      .example('$0 --node node-2 run web --image httpd', 'a pod on the second node')
      .example('$0 node exec --node node-1 -- curl -s 10.88.2.2', 'a pod on node 2, from node 1, without NAT'),
  handler: async (argv) => {
    const dir = clusterDirOf(argv['cluster-dir']);
    const { startCluster, stopCluster, clusterStatus } = await load();
    try {
      if (argv.action === 'start') {
        if (argv.name !== undefined) usage('cluster start takes no name: the nodes are node-1 … node-N (give --nodes N)');
        const nodes = await startCluster(dir, argv.nodes);
        for (const [i, n] of nodes.entries()) process.stdout.write(`node-${i + 1}: daemon pid ${n.pid}, pods in 10.88.${i + 1}.0/24, underlay 192.0.2.${11 + i}, socket ${n.socket}\n`);
        const where = argv['cluster-dir'] ? ` --cluster-dir ${dir}` : '';
        process.stdout.write(`address a node by name: minipod${where} --node node-1 ps, or: eval "$(minipod${where} cluster env node-1)"\n`);
      } else if (argv.action === 'stop') {
        process.stdout.write((await stopCluster(dir)) ? 'cluster stopped\n' : `no cluster is running in ${dir}: nothing to stop\n`);
      } else if (argv.action === 'ls') {
        const { outsidePid, nodes } = await clusterStatus(dir);
        if (!nodes.length) process.stdout.write(`no cluster in ${dir}: start one with \`minipod cluster start\`\n`);
        else await printTable(['NODE', 'SUBNET', 'ADDRESS', 'STATUS', 'SOCKET'], nodes.map((n) => [n.name, n.subnet, n.address, n.daemonPid ? `Ready (daemon ${n.daemonPid})` : n.holderPid ? 'NotReady (no daemon)' : 'Stopped', n.socket]));
        if (nodes.length && !outsidePid) process.stdout.write('the underlay (outside) is not running: `minipod cluster start` brings it back\n');
      } else {
        if (!argv.name) usage('cluster env needs a node name: minipod cluster env node-1');
        process.stdout.write(`export MINIPOD_SOCKET=${nodePaths(nodeDir({ ...argv, node: argv.name, 'cluster-dir': dir })).socket}\n`);
      }
    } catch (err) {
      fail(err);
    }
  },
});
