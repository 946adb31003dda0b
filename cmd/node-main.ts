// The node's own processes without yargs or the full CLI: bin/minipod.js runs this CommonJS
// bundle (dist/cli/node.cjs, with V8's code cache: bin/require-cached.js) for a node's daemon and
// for `minipod node start|stop|restart|env`. A restart is two Node processes one after the other,
// this CLI and the daemon it starts, and loading yargs, the CLI and the ES modules was a third of
// each (issue 13). A line the parsers are not sure of (--help, a flag they do not know) goes to the
// full CLI.
import { parseNodeLine, runNode } from './commands/node.js';
import { fail } from './common.js';
import { daemonOptions, parseDaemonLine } from './daemon-flags.js';

/** Runs the line if it is one of these (true), else does nothing (false). */
export function runNodeLine(args: readonly string[]): boolean {
  const daemon = parseDaemonLine(args);
  if (daemon) {
    const opts = daemonOptions(daemon);
    // Imported here: esbuild evaluates what import() brings when it runs, so a node verb's line does
    // not evaluate the daemon's modules (its schemas, the API) it never uses.
    void import('../lib/daemon.js').then(({ runDaemon }) => runDaemon(opts)).catch(fail);
    return true;
  }
  const node = parseNodeLine(args);
  if (node) void runNode(node);
  return node !== undefined;
}
