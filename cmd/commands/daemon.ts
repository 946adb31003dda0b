import { fail, verb } from '../common.js';
import { DAEMON_FLAGS, daemonOptions, type DaemonArgs } from '../daemon-flags.js';
import { withFlags } from '../flag-table.js';

// What a node's launcher writes is started without yargs (daemon-main.ts); this takes any other
// line, --help included, from the same table of flags.
export const daemon = verb<DaemonArgs>({
  command: 'daemon',
  describe: 'Run the minipod daemon (as root) in the current namespaces',
  builder: (y) => withFlags(y, DAEMON_FLAGS),
  handler: async (argv) => {
    const opts = daemonOptions(argv);
    const { runDaemon } = await import('../../lib/daemon.js');
    await runDaemon(opts).catch(fail);
  },
});
