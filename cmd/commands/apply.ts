// `minipod apply -f FILE`: a Deployment is created or changed (its controller makes the pods);
// a Pod is created, as `run -f` does.
import { applyDeployment } from '../deployments.js';
import { client, fail, usage, verb } from '../common.js';
import { createPod, readManifest } from './run.js';

export const apply = verb<{ file: string; wait: boolean; timeout: number }>({
  command: 'apply',
  describe: 'Create or change a Deployment (apps/v1) from a manifest; a Pod manifest is created as by run -f',
  builder: (y) =>
    y
      .option('file', { alias: 'f', type: 'string', demandOption: true, describe: 'Deployment or Pod manifest (YAML or JSON)' })
      .option('wait', { type: 'boolean', default: false, describe: 'Return once every replica is ready' })
      .option('timeout', { type: 'number', default: 60, describe: 'Seconds to wait with --wait' })
      .example('$0 apply -f examples/deployment.yaml', 'the seed Deployment: two pods of httpd and bootcamp'),
  handler: async (argv) => {
    if (!(argv.timeout > 0)) usage(`--timeout ${argv.timeout}: give a number of seconds greater than 0`);
    try {
      const parsed = await readManifest(argv.file);
      const api = client(argv);
      if (parsed.kind === 'Deployment') process.stdout.write(`${await applyDeployment(api, parsed.manifest, argv.wait ? argv.timeout * 1000 : undefined)}\n`);
      else process.stdout.write(`${await createPod(api, parsed.manifest, argv.wait, argv.timeout)}\n`);
    } catch (err) {
      fail(err);
    }
  },
});

