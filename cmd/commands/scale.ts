// `minipod scale deployment/NAME --replicas=N`: the controller adds or removes pods.
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';
import { deploymentTarget, joinedTarget } from '../deployments.js';

export const scale = verb<{ target: string; name?: string; replicas: string }>({
  command: 'scale <target> [name]',
  describe: 'Set the replicas of a Deployment (deployment/NAME, or deployment NAME)',
  builder: (y) =>
    y
      .positional('target', { type: 'string', describe: 'deployment/NAME, or deployment followed by NAME' })
      .positional('name', { type: 'string', describe: 'NAME, after deployment (kubectl\'s TYPE NAME)' })
      // A string, so that a bad value is named as given (a number option turns "abc" into NaN).
      .option('replicas', { type: 'string', demandOption: true, describe: 'How many pods (0 to 100)' })
      .example('$0 scale deployment/web --replicas=3', 'three pods of web'),
  handler: async (argv) => {
    const target = joinedTarget('scale', String(argv.target), argv.name);
    const name = deploymentTarget(target);
    if (!name) usage(`scale ${target}: give deployment/NAME (only Deployments scale)`);
    const given = String([argv.replicas].flat().at(-1) ?? ''); // given twice: the last, as yargs keeps both
    const replicas = /^\d{1,3}$/.test(given.trim()) ? Number(given) : NaN;
    if (!(replicas >= 0 && replicas <= 100)) usage(`--replicas ${JSON.stringify(given)}: give a whole number from 0 to 100`);
    try {
      const d = await client(argv).request<DeploymentStatus>('PUT', `/deployments/${encodeURIComponent(name)}/scale`, { replicas });
      process.stdout.write(`deployment.apps/${d.name} scaled\n`);
    } catch (err) {
      fail(err);
    }
  },
});
