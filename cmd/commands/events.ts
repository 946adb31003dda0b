import { createInterface } from 'node:readline';
import type { ErrorBody } from '../../lib/api/protocol.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { client } from '../client.js';
import { age, ALL_NAMESPACES_OPTION, fail, verb } from '../common.js';

/** kubectl get events' columns; a stream, so fixed widths (a long value widens its row only). */
export const EVENTS_HEAD = `${'LAST SEEN'.padEnd(9)}  ${'TYPE'.padEnd(7)}  ${'REASON'.padEnd(16)}  ${'OBJECT'.padEnd(20)}  MESSAGE`;

/** One event as a row: its age (the JSON keeps its RFC 3339 time), type, reason, pod[/container], message. */
export function formatEvent(e: PodEvent, now = Date.now()): string {
  const who = e.container ? `${e.pod}/${e.container}` : e.pod;
  return `${age(e.time, now).padEnd(9)}  ${e.type.padEnd(7)}  ${e.reason.padEnd(16)}  ${who.padEnd(20)}  ${e.message}`;
}

export const events = verb<{ pod?: string; follow: boolean; json: boolean; allNamespaces: boolean }>({
  command: 'events [pod]',
  describe: 'Show lifecycle events (all pods or one)',
  builder: (y) =>
    y
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Stream new events' })
      .option('json', { type: 'boolean', default: false, describe: 'One JSON object per line' })
      .option('all-namespaces', ALL_NAMESPACES_OPTION),
  handler: async (argv) => {
    try {
      const q = new URLSearchParams({ follow: String(argv.follow), ...(argv.pod ? { pod: argv.pod } : {}), ...(argv.allNamespaces ? { allNamespaces: 'true' } : {}) });
      const res = await client(argv).send('GET', `/events?${q}`);
      if (!argv.json) process.stdout.write(`${EVENTS_HEAD}\n`);
      for await (const line of createInterface({ input: res })) {
        if (!line) continue;
        const value = JSON.parse(line) as PodEvent | ErrorBody;
        if ('error' in value) fail(value.error.message); // the daemon cut this watch off
        process.stdout.write(`${argv.json ? line : formatEvent(value)}\n`);
      }
    } catch (err) {
      fail(err);
    }
  },
});
