import type { Orphan } from '../../lib/pod/gc.js';
import { client } from '../client.js';
import { fail, verb } from '../common.js';

export const gc = verb<{ fix: boolean }>({
  command: 'gc',
  describe: 'List veths, leases, holders, logs, hostPort mappings and quarantined records that no pod owns (--fix removes them)',
  builder: (y) => y.option('fix', { type: 'boolean', default: false, describe: 'Remove what is listed' }),
  handler: async (argv) => {
    try {
      const { orphans } = await client(argv).request<{ orphans: Orphan[] }>(argv.fix ? 'POST' : 'GET', '/gc');
      for (const o of orphans) process.stdout.write(`${o.kind.padEnd(7)} ${o.name}  (${o.origin})${argv.fix ? ': removed' : ''}\n`);
      if (!orphans.length) process.stdout.write('nothing to collect: every object belongs to a pod\n');
      else if (!argv.fix) process.stdout.write(`${orphans.length} orphan(s); \`minipod gc --fix\` removes them\n`);
    } catch (err) {
      fail(err);
    }
  },
});
