// A node's daemon without yargs, the CLI or the ES module loader: bin/minipod.js runs this
// CommonJS bundle (dist/cli/daemon.cjs, with V8's code cache: bin/require-cached.js) for the
// `daemon …` line `minipod node start|restart` writes. The daemon is imported statically, so that
// its modules are evaluated when the code cache is made, which then holds them. A line the parser
// is not sure of goes to the full CLI (`minipod daemon` typed by a person).
import { runDaemon } from '../lib/daemon.js';
import { fail } from './common.js';
import { daemonOptions, parseDaemonLine } from './daemon-flags.js';
import { becomeDaemon, SPARE_FLAG, waitAsSpare } from '../lib/node/spare-daemon.js';
import { prestartHelpers } from '../lib/os/prestart.js';
import { resolveTools } from '../lib/os/tools.js';
import { startWarming } from '../lib/node/spare-warm.js';

/** Runs the line if it is a daemon's (true), else does nothing (false). */
export function runDaemonLine(args: readonly string[]): boolean {
  // `daemon --spare SOCKET --state-dir DIR`: a node's spare, told its line later (lib/node/spare-daemon.ts).
  if (args[1] === SPARE_FLAG && args[2] && args[3] === '--state-dir' && args[4]) {
    process.umask(0o077); // its socket too: root's only
    // Its helpers started while it waits (lib/os/prestart.ts): the daemon it becomes takes them over.
    void resolveTools().then(prestartHelpers, () => {});
    // The boot's code run warm meanwhile, reading only (lib/node/spare-warm.ts).
    const warmed = startWarming(args[4]);
    void waitAsSpare(args[2], args[4], (line) => parseDaemonLine(line) !== undefined)
      .then((go) => {
        warmed();
        if (!go) process.exit(0); // declined: the launcher starts a daemon anew
        becomeDaemon(go);
        runDaemonLine(go.argv);
      })
      .catch(fail);
    return true;
  }
  const daemon = parseDaemonLine(args);
  if (!daemon) return false;
  void runDaemon(daemonOptions(daemon)).catch(fail);
  return true;
}
