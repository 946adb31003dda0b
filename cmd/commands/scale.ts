// `minipod scale deployment/NAME --replicas=N`: the controller adds or removes pods.
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';
import { deploymentTarget } from '../deployments.js';

export const scale = verb<{ target: string; replicas: number }>({
  command: 'scale <target>',
  describe: 'Set the replicas of a Deployment (deployment/NAME)',
  builder: (y) =>
    y
      .positional('target', { type: 'string', describe: 'deployment/NAME' })
      .option('replicas', { type: 'number', demandOption: true, describe: 'How many pods (0 to 100)' })
      .example('$0 scale deployment/web --replicas=3', 'three pods of web'),
  handler: async (argv) => {
    const name = deploymentTarget(argv.target);
    if (!name) usage(`scale ${argv.target}: give deployment/NAME (only Deployments scale)`);
    if (!Number.isInteger(argv.replicas) || argv.replicas < 0 || argv.replicas > 100) usage(`--replicas ${argv.replicas}: give a whole number from 0 to 100`);
    try {
      const d = await client(argv).request<DeploymentStatus>('PUT', `/deployments/${encodeURIComponent(name)}/scale`, { replicas: argv.replicas });
      process.stdout.write(`deployment.apps/${d.name} scaled\n`);
    } catch (err) {
      fail(err);
    }
  },
});
