// The minipod CLI: parses arguments and hands each verb to its file under commands/.
import { createRequire } from 'node:module';
import { hideBin } from 'yargs/helpers';
import { apply } from './commands/apply.js';
import { daemon } from './commands/daemon.js';
import { del } from './commands/delete.js';
import { describe } from './commands/describe.js';
import { events } from './commands/events.js';
import { gc } from './commands/gc.js';
import { get } from './commands/get.js';
import { image } from './commands/image.js';
import { exec } from './commands/exec.js';
import { inspect } from './commands/inspect.js';
import { kill } from './commands/kill.js';
import { rm, stop } from './commands/lifecycle.js';
import { logs } from './commands/logs.js';
import { node } from './commands/node.js';
import { cluster } from './commands/cluster.js';
import { ps } from './commands/ps.js';
import { runCmd } from './commands/run.js';
import { scale } from './commands/scale.js';
import { top } from './commands/top.js';
import { topology } from './commands/topology.js';
import { splitOutputFlag } from './output/format.js';

// yargs' CommonJS build, not its ESM one: the ESM build's cliui cuts help lines every N characters,
// mid-word ("deploym ent"); the CommonJS one wraps on word boundaries (yargs/yargs#2112).
const yargs = createRequire(import.meta.url)('yargs/yargs') as typeof import('yargs/yargs');

/** Help is wrapped at $COLUMNS if set, else at the terminal's width; at most 110 columns. */
const helpWidth = (): number => Math.min(110, Number(process.env.COLUMNS) || process.stdout.columns || 110);

// A reader that went away (`minipod logs POD | head -1`) ends the command quietly, as it does for
// cat: Node ignores SIGPIPE, so the write fails with EPIPE instead, on stdout or stderr.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

await yargs(splitOutputFlag(hideBin(process.argv)))
  .scriptName('minipod')
  .usage('$0 <command>: a small container runtime that shows how a Kubernetes pod sandbox works')
  .option('socket', { type: 'string', global: true, describe: 'The daemon socket (default: $MINIPOD_SOCKET or /run/minipod/minipod.sock)' })
  .option('node', { type: 'string', global: true, describe: 'A node of the cluster (`minipod cluster start`) by name: node-1, node-2, … (instead of --socket)' })
  .option('cluster-dir', { type: 'string', global: true, describe: 'The cluster --node and `cluster` refer to (default: $MINIPOD_CLUSTER_DIR or /var/lib/minipod-cluster)' })
  .option('namespace', { alias: 'n', type: 'string', global: true, describe: 'Namespace of the pods and Deployments (default: default, or the manifest\'s)' })
  .parserConfiguration({ 'populate--': true })
  .command(daemon)
  .command(runCmd)
  .command(apply)
  .command(ps)
  .command(get)
  .command(scale)
  .command(inspect)
  .command(describe)
  .command(top)
  .command(logs)
  .command(exec)
  .command(stop)
  .command(rm)
  .command(del)
  .command(events)
  .command(kill)
  .command(gc)
  .command(topology)
  .command(image)
  .command(node)
  .command(cluster)
  .demandCommand(1, 'give a command; see `minipod --help`')
  .strict()
  .fail((msg, err) => {
    if (err) throw err;
    process.stderr.write(`minipod: ${msg}\n(see \`minipod --help\`)\n`);
    process.exit(2);
  })
  .wrap(helpWidth())
  .help()
  .version()
  .parseAsync();
