// What every CLI verb shares: the socket flag, the API client, and error → exit code mapping.
import type { Argv, CommandModule } from 'yargs';
import { ApiClient, resolveSocket } from '../lib/api/client.js';
import { DNS_LABEL } from '../lib/manifest/names.js';
import { parseSelector } from '../lib/manifest/selector.js';
import { clusterNodeDir, nodePaths } from '../lib/node-paths.js';

export interface GlobalArgs {
  socket?: string;
  node?: string;
  'cluster-dir'?: string;
  namespace?: string;
}

export function client(argv: GlobalArgs): ApiClient {
  if (argv.namespace !== undefined && !DNS_LABEL.test(argv.namespace)) usage(`--namespace ${JSON.stringify(argv.namespace)}: not a namespace name: lowercase letters, digits and "-", at most 63, starting and ending alphanumeric`);
  return new ApiClient(argv.node === undefined ? resolveSocket(argv.socket) : nodePaths(nodeDir(argv)).socket, argv.namespace);
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
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`minipod: ${message.split('\n')[0]}\n`);
  process.exit(1);
}

export function usage(message: string): never {
  process.stderr.write(`minipod: ${message}\n`);
  process.exit(2);
}

/** kubectl-style age (cmd/output/times.ts). */
export { age } from './output/times.js';

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
export const SELECTOR_OPTION = { alias: 'l', type: 'string', describe: 'Only the objects whose labels match: app=web, app!=web, app in (a,b), app notin (a), app, !app; "," is AND' } as const;

/** The listing's query: every namespace (-A), and the label selector (-l), checked here so a bad one is a usage error (exit 2). */
export function listQuery(argv: { allNamespaces?: boolean; selector?: string }): string {
  const q = new URLSearchParams();
  if (argv.allNamespaces) q.set('allNamespaces', 'true');
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
