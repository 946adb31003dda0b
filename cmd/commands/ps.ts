// `minipod ps` (as `get pods`): the listing (cmd/list-pods.ts, which cmd/quick.ts also runs), or
// with -w the table and then a row each time a pod changes (cmd/watch-pods.ts).
import { ALL_NAMESPACES_OPTION, HEADERS_OPTION, SELECTOR_OPTION, usage, verb } from '../common.js';
import { listPods, outputOf, type ListArgs } from '../list-pods.js';
import { OUTPUT_OPTION } from '../output/format.js';

export { listPods, noResources, outputOf, printPods, type ListArgs } from '../list-pods.js';

/** kubectl get -w. */
export const WATCH_OPTION = { alias: 'w', type: 'boolean', default: false, describe: 'After the table, a row each time a pod changes, until Ctrl-C (pods only), as kubectl get -w' } as const;

/** The listing, or with -w the watch (the table only). */
export async function listOrWatch(argv: ListArgs & { watch?: boolean }): Promise<void> {
  if (!argv.watch) return listPods(argv);
  const format = outputOf(argv);
  if (argv.json || (format.kind !== 'table' && format.kind !== 'wide')) usage('-w prints the table (or -o wide) and a row for each change: leave out -o and --json');
  const { watchPods } = await import('../watch-pods.js');
  return watchPods(argv, format.kind === 'wide', !format.noHeaders);
}

export const ps = verb<ListArgs & { watch: boolean }>({
  command: 'ps',
  describe: 'List pods (as get pods)',
  builder: (y) =>
    y
      .option('output', OUTPUT_OPTION)
      .option('json', { type: 'boolean', default: false, describe: 'Print the pod records as JSON' })
      .option('all-namespaces', ALL_NAMESPACES_OPTION)
      .option('selector', SELECTOR_OPTION)
      .option('headers', HEADERS_OPTION)
      .option('watch', WATCH_OPTION),
  handler: listOrWatch,
});
