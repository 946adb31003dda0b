// The node's own processes without yargs or the full CLI: bin/minipod.js runs this CommonJS
// bundle (dist/cli/node.cjs, with V8's code cache: bin/require-cached.js) for a node's daemon and
// for `minipod node start|stop|restart|env`. A restart is two Node processes one after the other,
// this CLI and the daemon it starts, and loading yargs, the CLI and the ES modules was a third of
// each (issue 13). A line the parsers are not sure of (--help, a flag they do not know) goes to the
// full CLI. The daemon is imported statically, so that its modules are evaluated when the code
// cache is made, which then holds them (what import() brings is compiled only when it runs); a
// node verb evaluates them too, at no measurable cost: node-namespace.ts reaches most of them.
import { runDaemon } from '../lib/daemon.js';
import { parseNodeLine, runNode } from './commands/node.js';
import { fail, quietOnClosedPipes } from './common.js';
import { daemonOptions, parseDaemonLine } from './daemon-flags.js';

/** Runs the line if it is one of these (true), else does nothing (false). */
export function runNodeLine(args: readonly string[]): boolean {
  const daemon = parseDaemonLine(args);
  if (daemon) {
    void runDaemon(daemonOptions(daemon)).catch(fail);
    return true;
  }
  const node = parseNodeLine(args);
  if (!node) return false;
  quietOnClosedPipes(); // `node start | head -1`, as the full CLI
  void runNode(node);
  return true;
}
