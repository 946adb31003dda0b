// `minipod node start|stop|restart|env` without yargs, the CLI or the ES module loader:
// bin/minipod.js runs this CommonJS bundle (dist/cli/node.cjs, with V8's code cache:
// bin/require-cached.js). A restart is this CLI, then the daemon it starts (daemon-main.ts, a
// bundle of its own: this one holds none of the daemon, and loads in about half the time), or the
// node's spare daemon it hands the line to (lib/node/spare-launch.ts). A line the parser is not
// sure of (--help, a flag it does not know) goes to the full CLI. node-namespace.ts is imported
// statically, so that it is evaluated when the code cache is made, which then holds it (what
// import() brings is compiled only when it runs).
import '../lib/node/node-namespace.js';
import { parseNodeLine, runNode } from './commands/node.js';
import { quietOnClosedPipes } from './common.js';

/** Runs the line if it is one of these (true), else does nothing (false). */
export function runNodeLine(args: readonly string[]): boolean {
  const node = parseNodeLine(args);
  if (!node) return false;
  quietOnClosedPipes(); // `node start | head -1`, as the full CLI
  void runNode(node);
  return true;
}
