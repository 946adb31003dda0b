// `minipod logs POD|deployment/NAME [-c NAME | --all-containers] [--tail N] [--since D | --since-time T] [-p]
// [--timestamps] [--prefix] [--limit-bytes N] [-f]`, as kubectl's. The daemon reads and renders the files; this
// checks the flags, picks the containers and pipes what comes (several at once with -f).
import type { IncomingMessage } from 'node:http';
import { parseDuration, parseSinceTime } from '../../lib/logs/cri.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';
import { podNameOf, podRef } from '../pod-target.js';

interface LogsArgs {
  pod: string;
  container?: string;
  'all-containers': boolean;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  prefix: boolean;
  tail: string;
  since?: string;
  'since-time'?: string;
  'limit-bytes'?: string;
}

/** --limit-bytes as a number of bytes (each container's output stops after it), or undefined for no limit. */
export function limitBytes(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) usage(`--limit-bytes ${value}: give a whole number of bytes greater than 0`);
  return Number(value);
}

/** The flags as the daemon's query takes them; a usage error naming the flag if one is bad. */
export function logsQuery(argv: Omit<LogsArgs, 'pod'>, now = Date.now()): Record<string, string> {
  if (!/^-?\d+$/.test(argv.tail) || Number(argv.tail) < -1) usage(`--tail ${argv.tail}: give a whole number of lines (-1, the default, for all)`);
  if (argv.since !== undefined && argv['since-time'] !== undefined) usage('--since and --since-time: give one of them, not both');
  if (argv['all-containers'] && argv.container !== undefined) usage('--all-containers and -c: give one of them, not both');
  const q: Record<string, string> = { follow: String(argv.follow), previous: String(argv.previous), timestamps: String(argv.timestamps), prefix: String(argv.prefix), tail: argv.tail };
  if (argv.since !== undefined) {
    const ms = parseDuration(argv.since);
    if (ms === undefined || ms <= 0) usage(`--since ${argv.since}: give a positive duration such as 30s, 5m, 1h or 1h30m (units h, m, s, ms)`);
    q.sinceTime = new Date(now - ms).toISOString();
  }
  if (argv['since-time'] !== undefined) {
    if (parseSinceTime(argv['since-time']) === undefined) usage(`--since-time ${argv['since-time']}: give an RFC 3339 time such as 2024-05-01T10:00:00Z`);
    q.sinceTime = argv['since-time'];
  }
  return q;
}

export const logs = verb<LogsArgs>({
  command: 'logs <pod>',
  describe: "Print a container's stdout and stderr",
  builder: (y) =>
    y
      .option('container', { alias: 'c', type: 'string', describe: "Container name (default: the pod's first)" })
      .option('all-containers', { type: 'boolean', default: false, describe: "Every container's log, one after the other (together with -f)" })
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Keep streaming new output' })
      .option('previous', { alias: 'p', type: 'boolean', default: false, describe: "The container's previous run (before its last restart)" })
      .option('tail', { type: 'string', default: '-1', describe: 'Only the last N lines (-1: all)' })
      .option('since', { type: 'string', describe: 'Only lines newer than this duration (30s, 5m, 1h)' })
      .option('since-time', { type: 'string', describe: 'Only lines written at or after this RFC 3339 time' })
      .option('timestamps', { type: 'boolean', default: false, describe: 'Begin each line with the time it was written (RFC 3339, nanoseconds)' })
      .option('prefix', { type: 'boolean', default: false, describe: 'Begin each line with [pod/NAME/CONTAINER]' })
      .option('limit-bytes', { type: 'string', describe: "At most this many bytes of each container's log (then it ends, with -f too)" })
      .example('$0 logs web --tail 20 -f', 'the last 20 lines, then what comes')
      .example('$0 logs web -c app -p', 'the run before the last restart')
      .example('$0 logs deploy/web', 'one of the Deployment\'s pods, as kubectl picks it (also pod/NAME)'),
  handler: async (argv) => {
    const query = logsQuery(argv);
    const limit = limitBytes(argv['limit-bytes']);
    const ref = podRef('logs', argv.pod);
    try {
      const api = client(argv);
      const name = await podNameOf(api, ref, true);
      let containers = argv.container === undefined ? undefined : [argv.container];
      if (!containers) {
        const pod = await api.request<PodRecord>('GET', `/pods/${encodeURIComponent(name)}`);
        const names = pod.containers.map((c) => c.name);
        if (argv['all-containers']) containers = names;
        else {
          containers = names.slice(0, 1);
          if (names.length > 1) process.stderr.write(`Defaulted container "${names[0]}" out of: ${names.join(', ')}\n`);
        }
      }
      const open = (container: string) => api.send('GET', `/pods/${encodeURIComponent(name)}/logs?${new URLSearchParams({ ...query, container })}`);
      // The daemon sends whole lines, so containers followed together interleave line by line.
      if (argv.follow && !argv.previous) await Promise.all((await Promise.all(containers.map(open))).map((res) => pipe(res, limit)));
      else for (const c of containers) await pipe(await open(c), limit);
    } catch (err) {
      fail(err);
    }
  },
});

/**
 * Resolves once res has been written out (stdout's backpressure respected), or its first `limit`
 * bytes: then the request is closed, which also ends a follow (kubectl's limitBytes, counted here).
 */
function pipe(res: IncomingMessage, limit = Infinity): Promise<void> {
  let left = limit;
  return new Promise((resolve, reject) => {
    res.on('data', (data: Buffer) => {
      const d = data.length > left ? data.subarray(0, left) : data;
      left -= d.length;
      if (left === 0) {
        res.removeAllListeners('data');
        res.destroy();
        process.stdout.write(d, () => resolve());
        return;
      }
      if (!process.stdout.write(d)) {
        res.pause();
        process.stdout.once('drain', () => res.resume());
      }
    });
    res.once('end', resolve);
    res.once('error', reject);
  });
}
