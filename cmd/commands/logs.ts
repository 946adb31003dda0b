import { client, fail, verb } from '../common.js';

export const logs = verb<{ pod: string; container?: string; follow: boolean }>({
  command: 'logs <pod>',
  describe: "Print a container's stdout and stderr",
  builder: (y) =>
    y
      .option('container', { alias: 'c', type: 'string', describe: 'Container name (needed when the pod has several)' })
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Keep streaming new output' }),
  handler: async (argv) => {
    try {
      const q = new URLSearchParams({ follow: String(argv.follow), ...(argv.container ? { container: argv.container } : {}) });
      const res = await client(argv).send('GET', `/pods/${encodeURIComponent(argv.pod)}/logs?${q}`);
      res.pipe(process.stdout);
    } catch (err) {
      fail(err);
    }
  },
});
