// What every CLI verb shares: the socket flags, a listing's query, error → exit code mapping.
// Nothing here loads node:http (cmd/client.ts does): the quick listings (cmd/quick.ts) use it.
import type { Argv, CommandModule } from 'yargs';
import { resolveSocket } from '../lib/api/socket.js';
import { DNS_LABEL } from '../lib/manifest/names.js';
import { parseSelector } from '../lib/manifest/selector.js';
import { clusterNodeDir, nodePaths } from '../lib/node-paths.js';

export interface GlobalArgs {
  socket?: string;
  node?: string;
  'cluster-dir'?: string;
  namespace?: string;
}

/** The daemon's socket a command line names (--socket, --node, $MINIPOD_SOCKET); a bad -n is a usage error. */
export function socketOf(argv: GlobalArgs): string {
  if (argv.namespace !== undefined && !DNS_LABEL.test(argv.namespace)) usage(`--namespace ${JSON.stringify(argv.namespace)}: not a namespace name: lowercase letters, digits and "-", at most 63, starting and ending alphanumeric`);
  return argv.node === undefined ? resolveSocket(argv.socket) : nodePaths(nodeDir(argv)).socket;
}

/** The directory of the cluster node --node names (a usage error if there is none). */
export function nodeDir(argv: GlobalArgs): string {
  if (argv.socket) usage('give --socket or --node, not both');
  const found = clusterNodeDir(argv.node ?? '', argv['cluster-dir']);
  if ('problem' in found) usage(found.problem);
  return found.dir;
}

/** Exit codes (docs/ARCHITECTURE.md, "The CLI and the API"): 0 success, 1 error with one line on stderr, 2 usage error. */
export function fail(err: unknown): never {
  const message = cutStream(err) ? 'the minipod daemon ended this stream: it stopped, or `node restart` replaced it; run the command again once it answers' : err instanceof Error ? err.message : String(err);
  process.stderr.write(`minipod: ${message.split('\n')[0]}\n`);
  process.exit(1);
}

/** Node's error for an answer whose connection closed before its end (`logs -f`, `events -f`, port-forward at a daemon's shutdown). */
const cutStream = (err: unknown): boolean => err instanceof Error && err.message === 'aborted' && (err as NodeJS.ErrnoException).code === 'ECONNRESET';

/**
 * A reader that went away (`minipod logs POD | head -1`) ends the command quietly, as it does for
 * cat: Node ignores SIGPIPE, so the write fails with EPIPE instead, on stdout or stderr.
 */
export function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}

/**
 * Exit with code once what was written to stdout and stderr has gone out: process.exit drops what
 * a pipe has not taken yet (an exec's last 100 KB of 20 MB, read through `| cat`, was lost).
 */
export async function exitWhenWritten(code: number): Promise<never> {
  const written = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => (s.writableLength === 0 || s.destroyed ? resolve() : s.write('', () => resolve())));
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(code);
}

export function usage(message: string): never {
  process.stderr.write(`minipod: ${message}\n`);
  process.exit(2);
}

/** kubectl-style age (lib/util/age.ts). */
export { age } from '../lib/util/age.js';

/**
 * A verb: yargs' builder types cannot follow positionals declared in the command string, so
 * each verb states its argument type here and yargs checks the values at run time.
 */
export function verb<A>(m: {
  command: string;
  aliases?: string[];
  describe: string;
  builder?: (y: Argv) => Argv;
  handler: (argv: A & GlobalArgs & { '--'?: string[] }) => Promise<void>;
}): CommandModule {
  return m as unknown as CommandModule;
}

/** -A and -l of the listing commands (ps, get, events, delete). */
export const ALL_NAMESPACES_OPTION = { alias: 'A', type: 'boolean', default: false, describe: 'List the pods (or Deployments, events) of every namespace, with a NAMESPACE column' } as const;
/** kubectl's --no-headers, as yargs reads it: the negation of --headers. */
export const HEADERS_OPTION = { type: 'boolean', default: true, describe: "Print the table's header line; --no-headers: the rows alone, as kubectl" } as const;
export const SELECTOR_OPTION = { alias: 'l', type: 'string', describe: 'Only the objects whose labels match: app=web, app!=web, app in (a,b), app notin (a), app, !app; "," is AND' } as const;

/** The listing's query: every namespace (-A), and the label selector (-l), checked here so a bad one is a usage error (exit 2). */
export function listQuery(argv: { allNamespaces?: boolean; selector?: string }): string {
  const q = new URLSearchParams();
  if (argv.allNamespaces) q.set('allNamespaces', 'true');
  if (Array.isArray(argv.selector)) usage('-l is given more than once: give one selector, "," between its requirements (app=web,tier!=db)');
  if (argv.selector !== undefined) {
    try {
      parseSelector(argv.selector);
    } catch (err) {
      usage(`-l: ${(err as Error).message}`);
    }
    q.set('labelSelector', argv.selector);
  }
  return q.size ? `?${q}` : '';
}
