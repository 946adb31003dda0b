// `minipod get deployments|pods [NAME…] [-o …]`: kubectl's tables (pods as `ps` prints them), and
// for pods the Pod objects (-o json|yaml|name|jsonpath=…) or the wide table.
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import type { PodList } from '../../lib/api/protocol.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { client, fail, usage, verb } from '../common.js';
import { DEPLOYMENT_HEAD, deploymentRows } from '../deployments.js';
import { OUTPUT_OPTION } from '../output/format.js';
import { outputOf, printPods, printTable } from './ps.js';

const KINDS: Record<string, 'deployments' | 'pods'> = { deployments: 'deployments', deployment: 'deployments', deploy: 'deployments', pods: 'pods', pod: 'pods', po: 'pods' };

export const get = verb<{ resource: string; names?: string[]; json: boolean; output?: string }>({
  command: 'get <resource> [names..]',
  describe: 'List deployments or pods, as kubectl get (pods: -o wide|json|yaml|name|jsonpath=…)',
  builder: (y) =>
    y
      .positional('resource', { choices: Object.keys(KINDS), describe: 'deployments or pods (pod, po)' })
      .positional('names', { type: 'string', array: true, describe: 'Only these pods' })
      .option('output', OUTPUT_OPTION)
      .option('json', { type: 'boolean', default: false, describe: 'Print the records as JSON' }),
  handler: async (argv) => {
    const names = (argv.names ?? []).map(String);
    if (KINDS[argv.resource] === 'deployments') {
      if (names.length) usage('get deployments takes no names: see one with `minipod inspect deployment/NAME`');
      if (argv.output !== undefined && argv.output !== 'wide') usage(`-o ${argv.output}: deployments print as a table or with --json; -o is for pods`);
    }
    const format = outputOf(argv);
    try {
      const api = client(argv);
      if (KINDS[argv.resource] === 'pods') {
        const pods = names.length
          ? await Promise.all(names.map((n) => api.request<PodRecord>('GET', `/pods/${encodeURIComponent(n)}`)))
          : (await api.request<PodList>('GET', '/pods')).pods;
        return void (await printPods(pods, argv.json, format, names.length === 1));
      }
      const { deployments } = await api.request<{ deployments: DeploymentStatus[] }>('GET', '/deployments');
      if (argv.json) return void process.stdout.write(`${JSON.stringify(deployments, null, 2)}\n`);
      await printTable(DEPLOYMENT_HEAD, deploymentRows(deployments));
    } catch (err) {
      fail(err);
    }
  },
});
