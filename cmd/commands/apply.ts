// `minipod apply -f FILE|-`: every Pod and Deployment of the file, checked first, then each
// created, left unchanged or changed (a changed Pod is replaced), one line each as kubectl prints
// them. If one fails, what this apply created is removed again: the file is applied whole or not.
import { SETTLE_MS, type ApiClient } from '../../lib/api/client.js';
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import { MinipodError } from '../../lib/errors.js';
import type { ManifestDocument } from '../../lib/manifest/documents.js';
import { objectName } from '../../lib/manifest/kinds.js';
import type { PodApplyResult } from '../../lib/pod/apply.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';
import { waitDeployment } from '../deployments.js';
import { isStdin, readManifests } from '../manifest-input.js';
import { deleteObject } from './delete.js';

type Result = PodApplyResult;

/** PUT the pod or POST the Deployment; the word kubectl prints for what happened. */
async function applyOne(api: ApiClient, d: ManifestDocument): Promise<Result> {
  const name = encodeURIComponent(d.manifest.metadata.name);
  if (d.kind === 'Deployment') return (await api.request<{ result: Result; deployment: DeploymentStatus }>('POST', '/deployments', d.manifest)).result;
  return (await api.request<{ result: Result; pod: PodRecord }>('PUT', `/pods/${name}`, d.manifest)).result;
}

/** Remove what this apply created, newest first; the original error keeps what could not be undone. */
async function rollBack(api: (d: ManifestDocument) => ApiClient, created: ManifestDocument[], err: unknown, at: ManifestDocument, source: string): Promise<never> {
  const undone: string[] = [];
  const left: string[] = [];
  for (const d of [...created].reverse()) {
    await deleteObject(api(d), d.kind === 'Deployment' ? 'deployment' : 'pod', d.manifest.metadata.name).then(
      () => undone.push(objectName(d)),
      (e: Error) => left.push(`${objectName(d)} (${e.message})`),
    );
  }
  const why = err instanceof Error ? err.message : String(err);
  const code = err instanceof MinipodError ? err.code : 'INTERNAL';
  const rolled = undone.length ? `; removed again what this apply created: ${undone.join(', ')}` : '';
  const stuck = left.length ? `; could not remove ${left.join(', ')}: remove it with \`minipod delete -f ${source}\`` : '';
  throw new MinipodError(code, `${at.source ?? source}: document ${at.index} (${objectName(at)}): ${why}${rolled}${stuck}`);
}

export const apply = verb<{ file: string; wait: boolean; timeout: number }>({
  command: 'apply',
  describe: 'Create or change every Pod and Deployment of a manifest file (- for stdin), as kubectl apply',
  builder: (y) =>
    y
      .option('file', { alias: 'f', type: 'string', demandOption: true, describe: 'Manifest: YAML (documents separated by ---) or JSON; - for stdin' })
      .option('wait', { type: 'boolean', default: false, describe: 'Return once every pod is ready and every Deployment has its replicas ready' })
      .option('timeout', { type: 'number', default: 60, describe: 'Seconds to wait with --wait' })
      .example('$0 apply -f examples/deployment.yaml', 'the seed Deployment: two pods of httpd and bootcamp')
      .example('cat pod.yaml | $0 apply -f -', 'from stdin'),
  handler: async (argv) => {
    if (!(argv.timeout > 0)) usage(`--timeout ${argv.timeout}: give a number of seconds greater than 0`);
    try {
      const docs = await readManifests(argv.file, argv.namespace);
      const source = isStdin(argv.file) ? '-' : argv.file;
      // Each document in its own namespace (from the file, or -n).
      const api = (d: ManifestDocument) => client({ ...argv, namespace: d.manifest.metadata.namespace });
      const created: ManifestDocument[] = [];
      for (const d of docs) {
        const result = await applyOne(api(d), d).catch((err: unknown) => rollBack(api, created, err, d, source));
        if (result === 'created') created.push(d);
        process.stdout.write(`${objectName(d)} ${result}\n`);
      }
      if (!argv.wait) return;
      const deadline = Date.now() + argv.timeout * 1000;
      for (const d of docs) {
        const left = Math.max(1, deadline - Date.now());
        if (d.kind === 'Deployment') await waitDeployment(api(d), d.manifest.metadata.name, left);
        else await api(d).waitReady(d.manifest.metadata.name, left, { settleMs: SETTLE_MS });
      }
    } catch (err) {
      fail(err);
    }
  },
});
