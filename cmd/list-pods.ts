// A pod listing (`ps`, `get pods`): asked as a Table (the daemon's rows) or as the records, and
// printed in the -o format. Apart from the verbs so that cmd/quick.ts bundles only this: `-w`
// (cmd/watch-pods.ts, node:http's streaming client) is the verbs' own (commands/ps.ts).
import { getOnce } from '../lib/api/get-once.js';
import type { PodList } from '../lib/api/protocol.js';
import { TABLE_ACCEPT, type PodTable } from '../lib/pod/table.js';
import type { PodRecord } from '../lib/pod/types.js';
import { fail, type GlobalArgs, listQuery, socketOf, usage } from './common.js';
import { parseOutput, type OutputFormat } from './output/format.js';

/**
 * The printing's code, imported when it prints: a listing asks first and loads it while the
 * daemon answers (in a fresh process its modules take milliseconds to compile).
 */
const printing = () => Promise.all([import('./output/pods.js'), import('./output/times.js')]);

/** What kubectl says on stderr for an empty listing in a table (stdout stays empty: no header either). */
export function noResources(allNamespaces: boolean, namespace: string | undefined): void {
  process.stderr.write(allNamespaces ? 'No resources found\n' : `No resources found in ${namespace ?? 'default'} namespace.\n`);
}

/** The pods in the -o format (the table by default), or, with --json, the records as the daemon keeps them. */
export async function printPods(pods: PodRecord[], json: boolean, format: OutputFormat = { kind: 'table' }, single = false, allNamespaces = false, namespace?: string): Promise<void> {
  const [{ formatPods }, { bootTimeMs, recordWithRfc3339 }] = await printing();
  if (!pods.length && !json && (format.kind === 'table' || format.kind === 'wide' || format.kind === 'name')) return noResources(allNamespaces, namespace);
  if (json) {
    const boot = await bootTimeMs();
    return void process.stdout.write(`${JSON.stringify(pods.map((p) => recordWithRfc3339(p, boot)), null, 2)}\n`);
  }
  process.stdout.write(await formatPods(pods, format, single, undefined, allNamespaces));
}

/** -o checked before any request: a bad value is a usage error (exit 2) and nothing is asked. */
export function outputOf(argv: { output?: string; json?: boolean; headers?: boolean }): OutputFormat {
  if (Array.isArray(argv.output)) usage('-o is given more than once: give one output format');
  try {
    const format = parseOutput(argv.output);
    if (argv.json && format.kind !== 'table') usage('--json and -o cannot be used together: -o json prints the Pod objects, --json the records');
    // --no-headers is the tables' (kubectl ignores it for the objects).
    return argv.headers === false && (format.kind === 'table' || format.kind === 'wide') ? { ...format, noHeaders: true } : format;
  } catch (err) {
    usage((err as Error).message);
  }
}

/** A listing's arguments: `ps` and `get pods` (yargs gives them in cmd/minipod.ts, parseQuick in cmd/quick.ts). */
export interface ListArgs extends GlobalArgs {
  json: boolean;
  output?: string;
  allNamespaces: boolean;
  selector?: string;
  /** false: --no-headers. */
  headers?: boolean;
}

/** The pods a listing asks for, printed; a bad -l, -o or -n is a usage error before any request. */
export async function listPods(argv: ListArgs): Promise<void> {
  const query = listQuery(argv);
  const format = outputOf(argv);
  const socket = socketOf(argv);
  const ask = { namespace: argv.namespace, onSent: () => void printing() };
  try {
    if (argv.json || (format.kind !== 'table' && format.kind !== 'wide')) {
      const { pods } = await getOnce<PodList>(socket, `/pods${query}`, ask);
      return await printPods(pods, argv.json, format, false, argv.allNamespaces, argv.namespace);
    }
    // The table's rows, made by the daemon (lib/pod/table.ts), as kubectl asks the API server.
    const table = await getOnce<PodTable | PodList>(socket, `/pods${query}`, { ...ask, accept: TABLE_ACCEPT });
    // A daemon older than the Table (live restore keeps it running across an upgrade) answers the records, as kubectl meets an old server.
    if (!('kind' in table) || table.kind !== 'Table') return await printPods((table as PodList).pods, false, format, false, argv.allNamespaces, argv.namespace);
    if (!table.rows.length) return noResources(argv.allNamespaces, argv.namespace);
    const [{ formatPodTable }] = await printing();
    process.stdout.write(await formatPodTable(table, format.kind === 'wide', argv.allNamespaces, !format.noHeaders));
  } catch (err) {
    fail(err);
  }
}
