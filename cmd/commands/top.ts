import type { PodTop } from '../../lib/api/protocol.js';
import { client } from '../client.js';
import { fail, verb } from '../common.js';
import { printTable } from '../output/pods.js';

/** As kubectl top: CPU in millicores ("12m"), memory in MiB ("3Mi"); "-" where there is no figure. */
export const formatCpu = (milli: number | null): string => (milli === null ? '-' : `${Math.round(milli)}m`);
export const formatMemory = (bytes: number | null): string => (bytes === null ? '-' : `${Math.round(bytes / 2 ** 20)}Mi`);

export const top = verb<{ pod: string; json: boolean }>({
  command: 'top <pod>',
  describe: 'Show each container\'s CPU (cores) and memory (working set), read from its cgroup, as `kubectl top pod --containers`',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print the figures as JSON (milliCPU, bytes)' }),
  handler: async (argv) => {
    try {
      const got = await client(argv).request<PodTop>('GET', `/pods/${encodeURIComponent(argv.pod)}/top`);
      if (argv.json) {
        process.stdout.write(`${JSON.stringify(got, null, 2)}\n`);
        return;
      }
      await printTable(['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'], got.containers.map((c) => [got.pod, c.name, formatCpu(c.cpuMilli), formatMemory(c.memoryBytes)]));
    } catch (err) {
      fail(err);
    }
  },
});
