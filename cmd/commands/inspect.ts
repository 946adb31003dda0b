import type { PodRecord } from '../../lib/pod/types.js';
import { client, fail, verb } from '../common.js';

export const inspect = verb<{ pod: string }>({
  command: 'inspect <pod>',
  describe: 'Print a pod as JSON (sandbox, namespaces, containers)',
  handler: async (argv) => {
    try {
      const pod = await client(argv).request<PodRecord>('GET', `/pods/${encodeURIComponent(argv.pod)}`);
      process.stdout.write(`${JSON.stringify(pod, null, 2)}\n`);
    } catch (err) {
      fail(err);
    }
  },
});
