import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';

export const kill = verb<{ pod: string; sandbox: boolean; container?: string; signal: string }>({
  command: 'kill <pod>',
  describe: "Signal the pod's pause holder (--sandbox) or a container (-c NAME), to watch recovery",
  builder: (y) =>
    y
      .option('sandbox', { type: 'boolean', default: false, describe: 'Kill the pause holder: the sandbox dies' })
      .option('container', { alias: 'c', type: 'string', describe: 'Kill this container instead' })
      .option('signal', { alias: 's', type: 'string', default: 'KILL', describe: 'Signal name' })
      .example('$0 kill web --sandbox', 'SIGKILL the pause holder; minipod rebuilds the sandbox'),
  handler: async (argv) => {
    if (argv.sandbox === (argv.container !== undefined)) usage('kill needs exactly one target: --sandbox or -c NAME');
    try {
      const body = argv.sandbox ? { sandbox: true, signal: argv.signal } : { container: argv.container, signal: argv.signal };
      const r = await client(argv).request<{ pid: number; signal: string }>('POST', `/pods/${encodeURIComponent(argv.pod)}/kill`, body);
      process.stdout.write(`${r.signal} sent to pid ${r.pid}\n`);
    } catch (err) {
      fail(err);
    }
  },
});
