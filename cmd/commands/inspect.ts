// `minipod inspect POD|deployment/NAME`: the record as JSON, or one field of it (--format
// '{{.sandbox.pid}}', as docker inspect; -o jsonpath='{.sandbox.pid}', as kubectl).
import type { PodRecord } from '../../lib/pod/types.js';
import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';
import { deploymentTarget } from '../deployments.js';
import { parseTemplate, renderTemplate, type Template } from '../output/jsonpath.js';
import { bootTimeMs, recordWithRfc3339 } from '../output/times.js';

/** The template asked for, if any; a bad one is a usage error before any request. */
function templateOf(argv: { format?: string; output?: string }): Template | undefined {
  try {
    if (argv.format !== undefined && argv.output !== undefined) usage('give --format or -o, not both');
    if (argv.format !== undefined) return parseTemplate(argv.format, '--format', 'go');
    if (argv.output === undefined || argv.output === 'json') return undefined;
    const jsonpath = /^jsonpath=(.+)$/s.exec(argv.output);
    if (!jsonpath) usage(`-o ${JSON.stringify(argv.output)}: inspect prints json or jsonpath=TEMPLATE (for a table, wide, yaml or name: \`minipod get pod NAME -o …\`)`);
    return parseTemplate(jsonpath[1]!);
  } catch (err) {
    usage((err as Error).message);
  }
}

export const inspect = verb<{ pod: string; format?: string; output?: string }>({
  command: 'inspect <pod>',
  describe: 'Print a pod as JSON (sandbox, namespaces, containers, its owner), or one field (--format); deployment/NAME: a Deployment',
  builder: (y) =>
    y
      .option('format', { alias: 'f', type: 'string', describe: "One field, as docker inspect: '{{.sandbox.pid}}', '{{json .containers}}', '{{range .containers}}{{.name}} {{end}}'" })
      .option('output', { alias: 'o', type: 'string', describe: "json (the default), or jsonpath='{.sandbox.netns}' for one field" }),
  handler: async (argv) => {
    const template = templateOf(argv);
    try {
      const deployment = deploymentTarget(argv.pod);
      const record = await client(argv).request<PodRecord>('GET', deployment ? `/deployments/${encodeURIComponent(deployment)}` : `/pods/${encodeURIComponent(argv.pod)}`);
      // A Deployment's record has RFC 3339 times only; a pod's start times and recovery are converted.
      const pod = deployment ? record : recordWithRfc3339(record, await bootTimeMs());
      if (!template) return void process.stdout.write(`${JSON.stringify(pod, null, 2)}\n`);
      const text = renderTemplate(template, pod);
      // docker inspect --format ends with a newline; a jsonpath prints the template exactly, as kubectl.
      process.stdout.write(argv.format !== undefined ? `${text}\n` : text);
    } catch (err) {
      fail(err);
    }
  },
});
