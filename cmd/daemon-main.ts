// A node's daemon without yargs, the CLI or the ES module loader: bin/minipod.js runs this
// CommonJS bundle (dist/cli/daemon.cjs, with V8's code cache: bin/require-cached.js) for the
// `daemon …` line `minipod node start|restart` writes. The daemon is imported statically, so that
// its modules are evaluated when the code cache is made, which then holds them. A line the parser
// is not sure of goes to the full CLI (`minipod daemon` typed by a person).
import { runDaemon } from '../lib/daemon.js';
import { fail } from './common.js';
import { daemonOptions, parseDaemonLine } from './daemon-flags.js';

/** Runs the line if it is a daemon's (true), else does nothing (false). */
export function runDaemonLine(args: readonly string[]): boolean {
  const daemon = parseDaemonLine(args);
  if (!daemon) return false;
  void runDaemon(daemonOptions(daemon)).catch(fail);
  return true;
}
