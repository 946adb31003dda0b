import type { PodRecord } from '../../lib/pod/types.js';
import { client, fail, verb } from '../common.js';
import { deploymentTarget } from '../deployments.js';

export const inspect = verb<{ pod: string }>({
  command: 'inspect <pod>',
  describe: 'Print a pod as JSON (sandbox, namespaces, containers, its owner); deployment/NAME: a Deployment',
  handler: async (argv) => {
    try {
      const deployment = deploymentTarget(argv.pod);
      const pod = await client(argv).request<PodRecord>('GET', deployment ? `/deployments/${encodeURIComponent(deployment)}` : `/pods/${encodeURIComponent(argv.pod)}`);
      process.stdout.write(`${JSON.stringify(pod, null, 2)}\n`);
    } catch (err) {
      fail(err);
    }
  },
});
