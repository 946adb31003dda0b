// `minipod delete`: kubectl's delete for pods and Deployments, by name or by the objects a
// manifest file names. A running pod is stopped first (as `rm -f`); a missing one is an error in
// kubectl's words unless --ignore-not-found; the others are still deleted.
import type { ApiClient } from '../../lib/api/client.js';
import { MinipodError } from '../../lib/errors.js';
import type { PodList } from '../../lib/api/protocol.js';
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import { client } from '../client.js';
import { ALL_NAMESPACES_OPTION, fail, listQuery, SELECTOR_OPTION, usage, verb } from '../common.js';
import { deletedLine, notFoundLine, parseTargets, type Kind, type Target } from '../delete-targets.js';
import { readObjectNames } from '../manifest-input.js';
import { stoppingText, withProgress } from '../progress.js';

/** Remove one object: a pod with `rm -f`'s force, a Deployment with its pods. */
export async function deleteObject(api: ApiClient, kind: Kind, name: string): Promise<void> {
  const n = encodeURIComponent(name);
  const text = kind === 'pod' ? () => stoppingText(api, name) : `deployment/${name}: removing it and its pods`;
  await withProgress(text, () => api.request('DELETE', kind === 'pod' ? `/pods/${n}?force=true` : `/deployments/${n}`));
}

export const del = verb<{ targets?: string[]; file?: string; ignoreNotFound: boolean; selector?: string; allNamespaces: boolean }>({
  command: 'delete [targets..]',
  describe: 'Delete pods (stopped first if running) and Deployments (with their pods), by name or as a file names them',
  builder: (y) =>
    y
      .positional('targets', { type: 'string', array: true, describe: 'pod NAME…, deployment NAME…, or TYPE/NAME…' })
      .option('file', { alias: 'f', type: 'string', describe: 'Delete every object this manifest names (- for stdin)' })
      .option('ignore-not-found', { type: 'boolean', default: false, describe: 'An object that is not there is no error' })
      .option('selector', SELECTOR_OPTION)
      .option('all-namespaces', ALL_NAMESPACES_OPTION)
      .example('$0 delete pods -l app=web', 'every pod labelled app=web (in the namespace of -n, or default)')
      .example('$0 delete pod web', 'stop and remove the pod web')
      .example('$0 delete -f examples/deployment.yaml', 'what apply -f made')
      .example('$0 delete deployment/web pod/t', 'by TYPE/NAME'),
  handler: async (argv) => {
    const args = argv.targets ?? [];
    if (argv.file !== undefined && args.length) usage('give either -f FILE or what to delete (pod NAME…), not both');
    if (argv.selector !== undefined && (argv.file !== undefined || args.some((a) => a.includes('/')) || args.length !== 1)) usage('-l selects pods (or deployments) by label: give `delete pods -l SELECTOR` (or deployments), no names and no -f');
    const api = client(argv);
    let targets: Target[];
    const unsupported: string[] = [];
    try {
      if (argv.file !== undefined) {
        // As kubectl: what the file names is deleted, its specs unchecked; a kind minipod has not is an error for that object alone.
        targets = [];
        for (const o of await readObjectNames(argv.file, argv.namespace)) {
          if (o.kind === 'Pod' || o.kind === 'Deployment') targets.push({ kind: o.kind === 'Pod' ? 'pod' : 'deployment', name: o.name, namespace: o.namespace });
          else unsupported.push(`minipod: ${o.kind}/${o.name}: minipod has no ${o.kind} objects: nothing of it to delete`);
        }
      }
      else if (argv.selector !== undefined) targets = await selected(api, args[0]!, listQuery(argv));
      else {
        const parsed = parseTargets(args);
        if (typeof parsed === 'string') usage(parsed);
        targets = parsed;
      }
    } catch (err) {
      fail(err);
    }
    for (const line of unsupported) process.stderr.write(`${line}\n`);
    let failed = unsupported.length > 0;
    for (const t of targets) {
      try {
        await deleteObject(t.namespace === undefined ? api : client({ ...argv, namespace: t.namespace }), t.kind, t.name);
        process.stdout.write(`${deletedLine(t)}\n`);
      } catch (err) {
        if (err instanceof MinipodError && err.code === 'UNAVAILABLE') fail(err); // no daemon: the same for every one
        if (err instanceof MinipodError && err.code === 'NOT_FOUND') {
          if (argv.ignoreNotFound) continue;
          process.stderr.write(`${notFoundLine(t)}\n`);
        } else process.stderr.write(`minipod: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
        failed = true;
      }
    }
    if (failed) process.exit(1);
  },
});

/** `delete pods -l SELECTOR`: the pods (or Deployments) the daemon selects, each in its namespace. */
async function selected(api: ApiClient, resource: string, query: string): Promise<Target[]> {
  const kind = ({ pods: 'pod', pod: 'pod', po: 'pod', deployments: 'deployment', deployment: 'deployment', deploy: 'deployment' } as const)[resource];
  if (!kind) usage(`delete ${resource} -l: give pods or deployments`);
  if (kind === 'pod') return (await api.request<PodList>('GET', `/pods${query}`)).pods.map((p) => ({ kind, name: p.name, namespace: p.namespace }));
  return (await api.request<{ deployments: DeploymentStatus[] }>('GET', `/deployments${query}`)).deployments.map((d) => ({ kind, name: d.name, namespace: d.manifest.metadata.namespace }));
}
