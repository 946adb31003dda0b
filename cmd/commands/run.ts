// `minipod run`: create one pod (from -f FILE|-, or from --container flags) and wait until it
// runs; a Deployment manifest is applied and waited for.
import { SETTLE_MS, type ApiClient } from '../../lib/api/client.js';
import { MinipodError } from '../../lib/errors.js';
import { podEnded } from '../../lib/pod/completion.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { podIPOf } from '../../lib/pod/host-network.js';
import { client } from '../client.js';
import { fail, usage, type GlobalArgs, verb } from '../common.js';
import { applyDeployment } from '../deployments.js';
import { anchorWorkingDirs, isStdin, readManifests } from '../manifest-input.js';
import { readinessText, withProgress } from '../progress.js';

interface Args extends GlobalArgs {
  name?: string;
  file?: string;
  container?: string[];
  restart?: string;
  wait: boolean;
  timeout: number;
}

/** Create the pod; with wait, return once it is ready. `pod/web Running 10.88.0.2`. */
export async function createPod(api: ApiClient, manifest: unknown, wait: boolean, timeoutSeconds: number): Promise<string> {
  let pod = await api.request<PodRecord>('POST', '/pods', manifest);
  const created = pod;
  if (wait) pod = await withProgress(readinessText(pod.name, pod.containers.map((c) => c.name)), (say) => api.waitReady(created.name, timeoutSeconds * 1000, { created, settleMs: SETTLE_MS, onPoll: (waiting) => say(readinessText(created.name, waiting)) }));
  // One that has already run its course (a job's) says so, without the address it gives back.
  const ended = podEnded(pod);
  return ended ? `pod/${pod.name} ${ended}` : `pod/${pod.name} ${pod.phase} ${podIPOf(pod)}`;
}

export const runCmd = verb<Args>({
  command: 'run [name]',
  describe: 'Create a pod and start its containers; returns once it is Running (-f: a Deployment too)',
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'Pod name (with --container)' })
      .option('file', { alias: 'f', type: 'string', describe: 'Pod or Deployment manifest (YAML or JSON; - for stdin)' })
      .option('container', { alias: 'c', type: 'string', array: true, describe: 'NAME=COMMAND [ARGS…] (split on spaces), repeatable' })
      .option('restart', { type: 'string', choices: ['Always', 'OnFailure', 'Never'], describe: 'restartPolicy (with --container)' })
      .option('wait', { type: 'boolean', default: true, describe: 'Return once every container is ready: its readinessProbe passes, or it listens on its declared ports (--no-wait: once started)' })
      .option('timeout', { type: 'number', default: 30, describe: 'Seconds to wait for readiness' })
      .example('$0 run -f examples/seed-pod.yaml', 'the seed pod (images httpd and bootcamp:v1: image import them first)')
      .example('$0 run -f examples/host-pod.yaml', 'its apps as node processes, no image')
      .example("$0 run web -c 'httpd=busybox httpd -f -p 80 -h /tmp'", 'a pod without a file'),
  handler: async (argv) => {
    if (!(argv.timeout > 0)) usage(`--timeout ${argv.timeout}: give a number of seconds greater than 0`);
    try {
      let manifest: Record<string, any>;
      if (argv.file !== undefined) {
        if (argv.name || argv.container || argv.restart) usage('give either -f FILE or NAME --container NAME=CMD [--restart …], not both (the manifest has spec.restartPolicy)');
        const docs = await readManifests(argv.file, argv.namespace);
        const source = isStdin(argv.file) ? 'stdin' : argv.file;
        if (docs.length > 1) throw new MinipodError('INVALID_ARGUMENT', `${source} has ${docs.length} objects: run -f makes one; apply them all with \`minipod apply -f ${isStdin(argv.file) ? '-' : argv.file}\``);
        const parsed = docs[0]!;
        if (parsed.kind === 'Deployment') {
          process.stdout.write(`${await applyDeployment(client({ ...argv, namespace: parsed.manifest.metadata.namespace }), parsed.manifest, argv.wait ? argv.timeout * 1000 : undefined)}\n`);
          return;
        }
        manifest = parsed.manifest;
      } else {
        const { validateManifest } = await import('../../lib/manifest/parse.js');
        if (!argv.name || !argv.container?.length) usage('give -f FILE, or NAME and at least one --container NAME=CMD');
        const containers = argv.container.map((c) => {
          const eq = c.indexOf('=');
          if (eq < 1) usage(`--container ${c}: expected NAME=COMMAND [ARGS…]`);
          return { name: c.slice(0, eq), command: c.slice(eq + 1).trim().split(/\s+/).filter(Boolean) };
        });
        manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: argv.name }, spec: { containers, ...(argv.restart ? { restartPolicy: argv.restart } : {}) } };
        anchorWorkingDirs(manifest.spec, process.cwd());
        validateManifest(manifest);
      }
      // The manifest's own namespace (-n's, or the file's); --container pods take -n's through the query.
      process.stdout.write(`${await createPod(client({ ...argv, namespace: manifest.metadata?.namespace ?? argv.namespace }), manifest, argv.wait, argv.timeout)}\n`);
    } catch (err) {
      fail(err);
    }
  },
});
