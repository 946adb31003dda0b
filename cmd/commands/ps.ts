import type { PodList } from '../../lib/api/protocol.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { bootTimeMs, recordWithRfc3339 } from '../output/times.js';
import { ALL_NAMESPACES_OPTION, client, fail, listQuery, SELECTOR_OPTION, usage, verb } from '../common.js';
import { OUTPUT_OPTION, parseOutput, type OutputFormat } from '../output/format.js';
import { formatPods } from '../output/pods.js';

export { podStatus, printTable } from '../output/pods.js';

/** What kubectl says on stderr for an empty listing in a table (stdout stays empty: no header either). */
export function noResources(allNamespaces: boolean, namespace: string | undefined): void {
  process.stderr.write(allNamespaces ? 'No resources found\n' : `No resources found in ${namespace ?? 'default'} namespace.\n`);
}

/** The pods in the -o format (the table by default), or, with --json, the records as the daemon keeps them. */
export async function printPods(pods: PodRecord[], json: boolean, format: OutputFormat = { kind: 'table' }, single = false, allNamespaces = false, namespace?: string): Promise<void> {
  if (!pods.length && !json && (format.kind === 'table' || format.kind === 'wide' || format.kind === 'name')) return noResources(allNamespaces, namespace);
  if (json) {
    const boot = await bootTimeMs();
    return void process.stdout.write(`${JSON.stringify(pods.map((p) => recordWithRfc3339(p, boot)), null, 2)}\n`);
  }
  process.stdout.write(await formatPods(pods, format, single, undefined, allNamespaces));
}

/** -o checked before any request: a bad value is a usage error (exit 2) and nothing is asked. */
export function outputOf(argv: { output?: string; json?: boolean }): OutputFormat {
  try {
    const format = parseOutput(argv.output);
    if (argv.json && format.kind !== 'table') usage('--json and -o cannot be used together: -o json prints the Pod objects, --json the records');
    return format;
  } catch (err) {
    usage((err as Error).message);
  }
}

export const ps = verb<{ json: boolean; output?: string; allNamespaces: boolean; selector?: string; namespace?: string }>({
  command: 'ps',
  describe: 'List pods (as get pods)',
  builder: (y) =>
    y
      .option('output', OUTPUT_OPTION)
      .option('json', { type: 'boolean', default: false, describe: 'Print the pod records as JSON' })
      .option('all-namespaces', ALL_NAMESPACES_OPTION)
      .option('selector', SELECTOR_OPTION),
  handler: async (argv) => {
    const format = outputOf(argv);
    const query = listQuery(argv);
    try {
      await printPods((await client(argv).request<PodList>('GET', `/pods${query}`)).pods, argv.json, format, false, argv.allNamespaces, argv.namespace);
    } catch (err) {
      fail(err);
    }
  },
});
