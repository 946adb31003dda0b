// `minipod delete`: kubectl's delete for pods and Deployments, by name or by the objects a
// manifest file names. A running pod is stopped first (as `rm -f`); a missing one is an error in
// kubectl's words unless --ignore-not-found; the others are still deleted.
import type { ApiClient } from '../../lib/api/client.js';
import { MinipodError } from '../../lib/errors.js';
import { client, fail, usage, verb } from '../common.js';
import { deletedLine, notFoundLine, parseTargets, type Kind, type Target } from '../delete-targets.js';
import { readManifests } from '../manifest-input.js';
import { stoppingText, withProgress } from '../progress.js';

/** Remove one object: a pod with `rm -f`'s force, a Deployment with its pods. */
export async function deleteObject(api: ApiClient, kind: Kind, name: string): Promise<void> {
  const n = encodeURIComponent(name);
  const text = kind === 'pod' ? () => stoppingText(api, name) : `deployment/${name}: removing it and its pods`;
  await withProgress(text, () => api.request('DELETE', kind === 'pod' ? `/pods/${n}?force=true` : `/deployments/${n}`));
}

export const del = verb<{ targets?: string[]; file?: string; ignoreNotFound: boolean }>({
  command: 'delete [targets..]',
  describe: 'Delete pods (stopped first if running) and Deployments (with their pods), by name or as a file names them',
  builder: (y) =>
    y
      .positional('targets', { type: 'string', array: true, describe: 'pod NAME…, deployment NAME…, or TYPE/NAME…' })
      .option('file', { alias: 'f', type: 'string', describe: 'Delete every object this manifest names (- for stdin)' })
      .option('ignore-not-found', { type: 'boolean', default: false, describe: 'An object that is not there is no error' })
      .example('$0 delete pod web', 'stop and remove the pod web')
      .example('$0 delete -f examples/deployment.yaml', 'what apply -f made')
      .example('$0 delete deployment/web pod/t', 'by TYPE/NAME'),
  handler: async (argv) => {
    const args = argv.targets ?? [];
    if (argv.file !== undefined && args.length) usage('give either -f FILE or what to delete (pod NAME…), not both');
    let targets: Target[];
    try {
      if (argv.file !== undefined) targets = (await readManifests(argv.file)).map((d) => ({ kind: d.kind === 'Deployment' ? 'deployment' : 'pod', name: d.manifest.metadata.name }));
      else {
        const parsed = parseTargets(args);
        if (typeof parsed === 'string') usage(parsed);
        targets = parsed;
      }
    } catch (err) {
      fail(err);
    }
    const api = client(argv);
    let failed = false;
    for (const t of targets) {
      try {
        await deleteObject(api, t.kind, t.name);
        process.stdout.write(`${deletedLine(t)}\n`);
      } catch (err) {
        if (err instanceof MinipodError && err.code === 'UNAVAILABLE') fail(err); // no daemon: the same for every one
        if (err instanceof MinipodError && err.code === 'NOT_FOUND') {
          if (argv.ignoreNotFound) continue;
          process.stderr.write(`${notFoundLine(t)}\n`);
        } else process.stderr.write(`minipod: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
        failed = true;
      }
    }
    if (failed) process.exit(1);
  },
});
