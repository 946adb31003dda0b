// `minipod describe pod NAME` (or `describe NAME`; `describe pods`: every pod) and `describe
// deployment NAME`, as kubectl describe: the pod with its sandbox, containers, conditions and its
// own recent events; the Deployment with its replicas, template, conditions, pods and events.
import { createInterface } from 'node:readline';
import type { PodList } from '../../lib/api/protocol.js';
import type { ApiClient } from '../../lib/api/client.js';
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { noResources } from './ps.js';
import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';
import { KINDS } from '../delete-targets.js';
import { describePod } from '../output/describe.js';
import { describeDeployment } from '../output/describe-deployment.js';
import { nodeName } from '../output/pods.js';

/** What to describe: `pod NAME`, `deployment NAME`, `TYPE/NAME`, a pod's bare name; a kind alone: every one of them. */
export function describeTargets(target: string, name: string | undefined): { kind: 'pods' | 'deployments'; names: string[] } {
  const slash = /^([a-z.]+)\/(.*)$/.exec(target);
  const kind = KINDS[slash ? slash[1]! : target];
  const what = `describe ${[target, name].filter((x) => x !== undefined).join(' ')}`;
  const plural = kind === 'deployment' ? 'deployments' : 'pods';
  if (slash || name !== undefined) {
    if (!kind || (slash && !slash[2])) usage(`${what}: minipod describes pods and deployments: \`describe pod NAME\`, \`describe deployment NAME\` or TYPE/NAME`);
    if (slash && name !== undefined) usage(`${what}: give TYPE/NAME or TYPE NAME, not both`);
    return { kind: plural, names: [slash ? slash[2]! : name!] };
  }
  return kind ? { kind: plural, names: [] } : { kind: 'pods', names: [target] };
}

async function podEvents(api: ApiClient, pod?: string): Promise<PodEvent[]> {
  const res = await api.send('GET', `/events?${new URLSearchParams({ follow: 'false', ...(pod ? { pod } : {}) })}`);
  const events: PodEvent[] = [];
  for await (const line of createInterface({ input: res })) if (line) events.push(JSON.parse(line) as PodEvent);
  return events;
}

export const describe = verb<{ target: string; name?: string; namespace?: string }>({
  command: 'describe <target> [name]',
  describe: 'Show a pod or a Deployment in detail, as kubectl describe: containers, sandbox, conditions, events',
  builder: (y) =>
    y
      .positional('target', { type: 'string', describe: 'pod or deployment (then NAME), TYPE/NAME, or a pod name; pods, deployments: every one' })
      .positional('name', { type: 'string', describe: 'The pod or Deployment' })
      .example('$0 describe pod web', 'the pod web')
      .example('$0 describe web', 'the same')
      .example('$0 describe deploy/web', 'the Deployment web: its replicas, template, pods and events'),
  handler: async (argv) => {
    const { kind, names } = describeTargets(String(argv.target), argv.name === undefined ? undefined : String(argv.name));
    try {
      const api = client(argv);
      const path = (n: string) => `/${kind}/${encodeURIComponent(n)}`;
      if (kind === 'deployments') {
        const list = names.length ? await Promise.all(names.map((n) => api.request<DeploymentStatus>('GET', path(n)))) : (await api.request<{ deployments: DeploymentStatus[] }>('GET', '/deployments')).deployments;
        if (!list.length) return noResources(false, argv.namespace);
        const events = await podEvents(api);
        return void process.stdout.write(list.map((d) => describeDeployment(d, events)).join('\n\n'));
      }
      const pods = names.length ? await Promise.all(names.map((n) => api.request<PodRecord>('GET', path(n)))) : (await api.request<PodList>('GET', '/pods')).pods;
      if (!pods.length) return noResources(false, argv.namespace); // as kubectl says it
      const events = await podEvents(api, names.length === 1 ? names[0] : undefined);
      const node = nodeName();
      process.stdout.write(pods.map((p) => describePod(p, events, node)).join('\n\n'));
    } catch (err) {
      fail(err);
    }
  },
});
