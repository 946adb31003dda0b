// `minipod get deployments|pods [NAME…] [-o …]`: kubectl's tables (pods as `ps` prints them), and
// the objects (-o json|yaml|name|jsonpath=…) or, for pods, the wide table.
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { client } from '../client.js';
import { ALL_NAMESPACES_OPTION, fail, HEADERS_OPTION, listQuery, SELECTOR_OPTION, usage, verb } from '../common.js';
import { KINDS } from '../delete-targets.js';
import { DEPLOYMENT_HEAD, deploymentRows } from '../deployments.js';
import { OUTPUT_OPTION } from '../output/format.js';
import { printTable } from '../output/pods.js';
import { listOrWatch, noResources, outputOf, printPods, WATCH_OPTION } from './ps.js';

/** What to list: the kind, and the names given (`get pod web db`, or kubectl's `get pod/web`, `get deployments.apps/web`). */
export function getTarget(resource: string, names: string[]): { kind: 'deployments' | 'pods'; names: string[] } {
  const slash = /^([a-z.]+)\/(.+)$/.exec(resource);
  const kind = KINDS[slash ? slash[1]! : resource];
  if (!kind) usage(`get ${resource}: minipod has deployments and pods (pod, po, pod/NAME; deployment, deploy)`);
  return { kind: kind === 'pod' ? 'pods' : 'deployments', names: slash ? [slash[2]!, ...names] : names };
}

export const get = verb<{ resource: string; names?: string[]; json: boolean; output?: string; allNamespaces: boolean; selector?: string; headers: boolean; watch: boolean }>({
  command: 'get <resource> [names..]',
  describe: 'List deployments or pods, as kubectl get (pods: -o wide|json|yaml|name|jsonpath=…)',
  builder: (y) =>
    y
      .positional('resource', { type: 'string', describe: 'deployments (deploy), pods (pod, po) or pod/NAME' })
      .positional('names', { type: 'string', array: true, describe: 'Only these (pods or deployments)' })
      .option('output', OUTPUT_OPTION)
      .option('json', { type: 'boolean', default: false, describe: 'Print the records as JSON' })
      .option('all-namespaces', ALL_NAMESPACES_OPTION)
      .option('selector', SELECTOR_OPTION)
      .option('headers', HEADERS_OPTION)
      .option('watch', WATCH_OPTION),
  handler: async (argv) => {
    const { kind, names } = getTarget(String(argv.resource), (argv.names ?? []).map(String));
    if (names.length && (argv.selector !== undefined || argv.allNamespaces)) usage(`get ${kind} NAME: -l and -A go with a listing, not with names`);
    if (argv.watch && (kind !== 'pods' || names.length)) usage(`get ${argv.resource} -w: minipod watches the pod listing only (\`get pods -w\`, with -l, -n or -A)`);
    if (kind === 'pods' && !names.length) return listOrWatch(argv); // as `ps` (and cmd/quick.ts) lists them
    const query = listQuery(argv);
    const format = outputOf(argv);
    try {
      const api = client(argv);
      if (kind === 'pods') {
        const pods = await Promise.all(names.map((n) => api.request<PodRecord>('GET', `/pods/${encodeURIComponent(n)}`)));
        return void (await printPods(pods, argv.json, format, names.length === 1, argv.allNamespaces, argv.namespace));
      }
      const deployments = names.length
        ? await Promise.all(names.map((n) => api.request<DeploymentStatus>('GET', `/deployments/${encodeURIComponent(n)}`)))
        : (await api.request<{ deployments: DeploymentStatus[] }>('GET', `/deployments${query}`)).deployments;
      if (argv.json) return void process.stdout.write(`${JSON.stringify(deployments, null, 2)}\n`);
      if (format.kind !== 'table' && format.kind !== 'wide') {
        const { formatDeployments } = await import('../output/deployment-object.js');
        return void process.stdout.write(await formatDeployments(deployments, format, names.length === 1));
      }
      if (!deployments.length) return noResources(argv.allNamespaces, argv.namespace);
      const rows = deploymentRows(deployments);
      if (argv.allNamespaces) await printTable(['NAMESPACE', ...DEPLOYMENT_HEAD], rows.map((r, i) => [deployments[i]!.manifest.metadata.namespace, ...r]), !format.noHeaders);
      else await printTable(DEPLOYMENT_HEAD, rows, !format.noHeaders);
    } catch (err) {
      fail(err);
    }
  },
});
