// `minipod describe pod NAME` (or `describe NAME`; `describe pods`: every pod), as kubectl describe:
// the pod with its sandbox, containers, conditions and its own recent events.
import { createInterface } from 'node:readline';
import type { PodList } from '../../lib/api/protocol.js';
import type { ApiClient } from '../../lib/api/client.js';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { noResources } from './ps.js';
import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';
import { describePod } from '../output/describe.js';
import { nodeName } from '../output/pods.js';

const POD_KINDS = ['pod', 'pods', 'po'];

/** The pod names asked for; [] for every pod. */
export function describeTargets(target: string, name: string | undefined): string[] {
  if (name !== undefined) {
    if (!POD_KINDS.includes(target)) usage(`describe ${target} ${name}: only pods can be described (describe pod ${name}); a Deployment: \`minipod inspect deployment/NAME\``);
    return [name];
  }
  const slash = /^(pod|pods|po)\/(.+)$/.exec(target);
  if (slash) return [slash[2]!];
  if (/^[a-z.]+\//.test(target)) usage(`describe ${target}: only pods can be described; a Deployment: \`minipod inspect deployment/NAME\``);
  return POD_KINDS.includes(target) ? [] : [target];
}

async function podEvents(api: ApiClient, pod?: string): Promise<PodEvent[]> {
  const res = await api.send('GET', `/events?${new URLSearchParams({ follow: 'false', ...(pod ? { pod } : {}) })}`);
  const events: PodEvent[] = [];
  for await (const line of createInterface({ input: res })) if (line) events.push(JSON.parse(line) as PodEvent);
  return events;
}

export const describe = verb<{ target: string; name?: string; namespace?: string }>({
  command: 'describe <target> [name]',
  describe: 'Show a pod in detail, as kubectl describe: containers, sandbox, conditions, events',
  builder: (y) =>
    y
      .positional('target', { type: 'string', describe: 'pod (then NAME), pod/NAME, or a pod name; pods: every pod' })
      .positional('name', { type: 'string', describe: 'The pod' })
      .example('$0 describe pod web', 'the pod web')
      .example('$0 describe web', 'the same'),
  handler: async (argv) => {
    const names = describeTargets(String(argv.target), argv.name === undefined ? undefined : String(argv.name));
    try {
      const api = client(argv);
      const pods = names.length ? await Promise.all(names.map((n) => api.request<PodRecord>('GET', `/pods/${encodeURIComponent(n)}`))) : (await api.request<PodList>('GET', '/pods')).pods;
      if (!pods.length) return noResources(false, argv.namespace); // as kubectl says it
      const events = await podEvents(api, names.length === 1 ? names[0] : undefined);
      const node = nodeName();
      process.stdout.write(pods.map((p) => describePod(p, events, node)).join('\n\n'));
    } catch (err) {
      fail(err);
    }
  },
});
