// `minipod daemon` without yargs or the CLI: bin/minipod.js runs this CommonJS bundle
// (dist/cli/daemon.cjs, with V8's code cache beside it: bin/require-cached.js) for the lines
// parseDaemonLine is sure of, which are the lines `minipod node start|restart` writes. A restart
// waits for its new daemon, and loading yargs, the CLI and the daemon's ES modules was a third of
// that daemon's start (issue 13). Any other line goes to the full CLI.
import { runDaemon } from '../lib/daemon.js';
import { fail } from './common.js';
import { daemonOptions, parseDaemonLine } from './daemon-flags.js';

/** Starts the daemon if the line is one parseDaemonLine takes (true), else does nothing (false). */
export function runDaemonLine(args: readonly string[]): boolean {
  const argv = parseDaemonLine(args);
  if (!argv) return false;
  void runDaemon(daemonOptions(argv)).catch(fail);
  return true;
}
