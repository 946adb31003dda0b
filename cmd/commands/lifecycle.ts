// stop and rm: the verbs that end a pod.
import { client } from '../client.js';
import { fail, verb } from '../common.js';
import { deploymentTarget } from '../deployments.js';
import { stoppingText, withProgress } from '../progress.js';

export const stop = verb<{ pods: string[] }>({
  command: 'stop <pods..>',
  describe: 'Stop the containers and tear down the sandbox (the pod record stays until rm)',
  handler: async (argv) => {
    try {
      for (const pod of argv.pods) {
        const api = client(argv);
        await withProgress(() => stoppingText(api, pod), () => api.request('POST', `/pods/${encodeURIComponent(pod)}/stop`));
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
        const api = client(argv);
        if (deployment) await withProgress(`deployment/${deployment}: removing it and its pods`, () => api.request('DELETE', `/deployments/${encodeURIComponent(deployment)}`));
        else await withProgress(() => stoppingText(api, pod), () => api.request('DELETE', `/pods/${encodeURIComponent(pod)}?force=${argv.force}`));
        process.stdout.write(`${pod}\n`);
      }
    } catch (err) {
      fail(err);
    }
  },
});
