// `minipod get deployments|pods`: kubectl's tables (pods as `ps` prints them).
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import type { PodList } from '../../lib/api/protocol.js';
import { client, fail, verb } from '../common.js';
import { DEPLOYMENT_HEAD, deploymentRows } from '../deployments.js';
import { printPods, printTable } from './ps.js';

const KINDS: Record<string, 'deployments' | 'pods'> = { deployments: 'deployments', deployment: 'deployments', deploy: 'deployments', pods: 'pods', pod: 'pods', po: 'pods' };

export const get = verb<{ resource: string; json: boolean }>({
  command: 'get <resource>',
  describe: 'List deployments or pods, as kubectl get',
  builder: (y) =>
    y
      .positional('resource', { choices: Object.keys(KINDS), describe: 'deployments or pods' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the records as JSON' }),
  handler: async (argv) => {
    try {
      const api = client(argv);
      if (KINDS[argv.resource] === 'pods') return void (await printPods((await api.request<PodList>('GET', '/pods')).pods, argv.json));
      const { deployments } = await api.request<{ deployments: DeploymentStatus[] }>('GET', '/deployments');
      if (argv.json) return void process.stdout.write(`${JSON.stringify(deployments, null, 2)}\n`);
      await printTable(DEPLOYMENT_HEAD, deploymentRows(deployments));
    } catch (err) {
      fail(err);
    }
  },
});
