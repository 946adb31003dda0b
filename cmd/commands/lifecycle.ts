// stop and rm: the verbs that end a pod.
import { client, fail, verb } from '../common.js';
import { deploymentTarget } from '../deployments.js';

export const stop = verb<{ pods: string[] }>({
  command: 'stop <pods..>',
  describe: 'Stop the containers and tear down the sandbox (the pod record stays until rm)',
  handler: async (argv) => {
    try {
      for (const pod of argv.pods) {
        await client(argv).request('POST', `/pods/${encodeURIComponent(pod)}/stop`);
        process.stdout.write(`${pod}\n`);
      }
    } catch (err) {
      fail(err);
    }
  },
});

export const rm = verb<{ pods: string[]; force: boolean }>({
  command: 'rm <pods..>',
  describe: 'Remove stopped pods (-f: stop running ones first); deployment/NAME: a Deployment with its pods',
  builder: (y) => y.option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Stop the pod if it is running' }),
  handler: async (argv) => {
    try {
      for (const pod of argv.pods) {
        const deployment = deploymentTarget(pod);
        if (deployment) await client(argv).request('DELETE', `/deployments/${encodeURIComponent(deployment)}`);
        else await client(argv).request('DELETE', `/pods/${encodeURIComponent(pod)}?force=${argv.force}`);
        process.stdout.write(`${pod}\n`);
      }
    } catch (err) {
      fail(err);
    }
  },
});
