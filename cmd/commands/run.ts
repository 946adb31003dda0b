import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SETTLE_MS } from '../../lib/api/client.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { client, fail, usage, type GlobalArgs, verb } from '../common.js';

interface Args extends GlobalArgs {
  name?: string;
  file?: string;
  container?: string[];
  restart?: string;
  wait: boolean;
  timeout: number;
}

/**
 * Containers run in their workingDir; a relative one (or none) is taken relative to the
 * manifest's directory (or the current directory for --container), so examples run from anywhere.
 */
function anchorWorkingDirs(manifest: Record<string, any>, base: string): void {
  for (const c of manifest?.spec?.containers ?? []) {
    if (c && typeof c === 'object') c.workingDir = path.resolve(base, typeof c.workingDir === 'string' ? c.workingDir : '.');
  }
}

export const runCmd = verb<Args>({
  command: 'run [name]',
  describe: 'Create a pod and start its containers; returns once it is Running',
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'Pod name (with --container)' })
      .option('file', { alias: 'f', type: 'string', describe: 'Pod manifest (YAML or JSON)' })
      .option('container', { alias: 'c', type: 'string', array: true, describe: 'NAME=COMMAND [ARGS…] (split on spaces), repeatable' })
      .option('restart', { type: 'string', choices: ['Always', 'OnFailure', 'Never'], describe: 'restartPolicy (with --container)' })
      .option('wait', { type: 'boolean', default: true, describe: 'Return once every container listens on its declared ports (--no-wait: once started)' })
      .option('timeout', { type: 'number', default: 30, describe: 'Seconds to wait for readiness' })
      .example('$0 run -f examples/seed-pod.yaml', 'the seed pod')
      .example("$0 run web -c 'httpd=busybox httpd -f -p 80 -h /tmp'", 'a pod without a file'),
  handler: async (argv) => {
    if (!(argv.timeout > 0)) usage(`--timeout ${argv.timeout}: give a number of seconds greater than 0`);
    try {
      // Loaded here, not at start-up: yaml and zod cost ~150 ms that other verbs need not pay.
      const { parseManifest, validateManifest } = await import('../../lib/manifest/parse.js');
      let manifest: Record<string, any>;
      if (argv.file) {
        if (argv.name || argv.container || argv.restart) usage('give either -f FILE or NAME --container NAME=CMD [--restart …], not both (the manifest has spec.restartPolicy)');
        const text = await readFile(argv.file, 'utf8').catch((e: Error) => fail(`cannot read ${argv.file}: ${e.message}`));
        manifest = parseManifest(text, argv.file) as Record<string, any>;
        anchorWorkingDirs(manifest, path.dirname(path.resolve(argv.file)));
      } else {
        if (!argv.name || !argv.container?.length) usage('give -f FILE, or NAME and at least one --container NAME=CMD');
        const containers = argv.container.map((c) => {
          const eq = c.indexOf('=');
          if (eq < 1) usage(`--container ${c}: expected NAME=COMMAND [ARGS…]`);
          return { name: c.slice(0, eq), command: c.slice(eq + 1).trim().split(/\s+/).filter(Boolean) };
        });
        manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: argv.name }, spec: { containers, ...(argv.restart ? { restartPolicy: argv.restart } : {}) } };
        anchorWorkingDirs(manifest, process.cwd());
        validateManifest(manifest);
      }
      const api = client(argv);
      let pod = await api.request<PodRecord>('POST', '/pods', manifest);
      if (argv.wait) pod = await api.waitReady(pod.name, argv.timeout * 1000, { created: pod, settleMs: SETTLE_MS });
      process.stdout.write(`pod/${pod.name} ${pod.phase} ${pod.ip}\n`);
    } catch (err) {
      fail(err);
    }
  },
});
