// The minipod CLI: parses arguments and hands each verb to its file under commands/.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
import { completion } from './commands/completion.js';
import { quietOnClosedPipes } from './common.js';
import { completeWithPods, completing, holdVerbsWhileCompleting } from './completion.js';
import { portForward } from './commands/port-forward.js';
import { ps } from './commands/ps.js';
import { runCmd } from './commands/run.js';
import { scale } from './commands/scale.js';
import { rollout } from './commands/rollout.js';
import { wait } from './commands/wait.js';
import { top } from './commands/top.js';
import { topology } from './commands/topology.js';
import { splitOutputFlag } from './output/format.js';
import { usageMessage } from './usage-hints.js';

// yargs' CommonJS build, not its ESM one: the ESM build's cliui cuts help lines every N characters,
// mid-word ("deploym ent"); the CommonJS one wraps on word boundaries (yargs/yargs#2112). Its
// helpers too: the ESM ones would load yargs' whole ESM build a second time.
const requireCjs = createRequire(import.meta.url);
const yargs = requireCjs('yargs/yargs') as typeof import('yargs/yargs');
const { hideBin } = requireCjs('yargs/helpers') as typeof import('yargs/helpers');

/** The package's version, wherever the command runs from (yargs would look for a package.json from the working directory). */
const version = (): string => (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Help is wrapped at $COLUMNS if set, else at the terminal's width; at most 110 columns. */
const helpWidth = (): number => Math.min(110, Number(process.env.COLUMNS) || process.stdout.columns || 110);

quietOnClosedPipes();

/**
 * yargs renders the whole help of a command as it runs it (cacheHelpMessage), for a showHelp
 * after an async handler: a sixth of `minipod ps`'s CPU. Nothing here shows help once a handler
 * runs (usage errors name the verb's --help, failures are printed by .fail), so it is skipped.
 */
const noHelpCache = (_argv: unknown, y: unknown): void => {
  (y as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } }).getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
};

const args = splitOutputFlag(hideBin(process.argv));
const cli = yargs(args);
await cli
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
  .command(rollout)
  .command(wait)
  .command(inspect)
  .command(describe)
  .command(top)
  .command(logs)
  .command(exec)
  .command(portForward)
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
  .command(completion)
  // TAB asks `minipod --get-yargs-completions …`; the hidden command's script is not used (`completion bash|zsh` is).
  .completion('__completion-script', false, completeWithPods)
  .middleware(holdVerbsWhileCompleting(args))
  .middleware(noHelpCache as unknown as (argv: object) => void) // yargs passes its instance second; its types say nothing of it
  .demandCommand(1, 'give a command; see `minipod --help`')
  .strict()
  .fail((msg, err) => {
    if (err) throw err;
    // A TAB's completion runs on (pod names come from the daemon) while yargs validates the
    // half-typed line: its complaints are not the user's, the completion answers and exits.
    if (completing(args)) return;
    // The verbs yargs had entered when it failed: their help, not the top-level one.
    const verbs = (cli as unknown as { getInternalMethods(): { getContext(): { commands: string[] } } }).getInternalMethods().getContext().commands;
    process.stderr.write(usageMessage(msg, verbs, args));
    process.exit(2);
  })
  .wrap(helpWidth())
  .help()
  .version(version())
  .parseAsync();
