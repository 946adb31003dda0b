import { createInterface } from 'node:readline';
import type { ApiClient } from '../../lib/api/client.js';
import type { ErrorBody } from '../../lib/api/protocol.js';
import { renderDot } from '../../lib/topology/dot.js';
import type { Topology } from '../../lib/topology/model.js';
import { renderText } from '../../lib/topology/text.js';
import { client } from '../client.js';
import { fail, usage, verb } from '../common.js';

const FORMATS = ['text', 'dot', 'svg', 'json'] as const;
type Format = (typeof FORMATS)[number];
/** Events come in bursts (a recreation is a dozen): one drawing once the burst is over. */
const SETTLE_MS = 150;

const fetchTopology = (api: ApiClient) => api.request<Topology>('GET', '/topology');

async function render(topo: Topology, format: Format): Promise<string> {
  if (format === 'json') return `${JSON.stringify(topo, null, 2)}\n`;
  if (format === 'dot') return renderDot(topo);
  // Loaded only here: it runs Graphviz through the door (lib/os), which no other verb needs at start.
  if (format === 'svg') return (await import('../../lib/topology/svg.js')).renderSvg(renderDot(topo));
  return renderText(topo);
}

export const topology = verb<{ format: Format; watch: boolean }>({
  command: 'topology',
  describe: 'Draw the node from the kernel: bridge, veth pairs (ifindex @ifN), each sandbox\'s net:[inode] with its pids, IPs, MACs, routes, NAT rules, and what does not fit',
  builder: (y) =>
    y
      .option('format', { alias: 'o', type: 'string', choices: FORMATS, default: 'text', describe: 'text (a tree), dot (Graphviz source), svg (drawn by Graphviz\'s dot), json (the model)' })
      .option('watch', { alias: 'w', type: 'boolean', default: false, describe: 'Draw the text again whenever the daemon reports an event (Ctrl-C ends)' })
      .example('$0 topology', 'the tree')
      .example('$0 topology --format svg > topology.svg', 'the picture'),
  handler: async (argv) => {
    if (argv.watch && argv.format !== 'text') usage(`--watch draws the text form: drop --format ${argv.format}, or --watch`);
    try {
      const api = client(argv);
      if (argv.watch) return await watch(api);
      process.stdout.write(await render(await fetchTopology(api), argv.format));
    } catch (err) {
      fail(err);
    }
  },
});

/** Redraw on each burst of events, only when the drawing changed; a terminal is cleared first. */
async function watch(api: ApiClient): Promise<void> {
  const events = await api.send('GET', '/events?follow=true&allNamespaces=true'); // opened first: no change is missed
  let last = '';
  let busy: Promise<void> = Promise.resolve();
  const draw = () => {
    busy = busy.then(async () => {
      const text = renderText(await fetchTopology(api));
      if (text === last) return;
      last = text;
      const clear = process.stdout.isTTY ? '\x1b[H\x1b[2J' : '';
      process.stdout.write(`${clear}minipod topology, ${new Date().toISOString()}\n${text}\n`);
    }).catch(fail);
    return busy;
  };
  await draw();
  let timer: NodeJS.Timeout | undefined;
  for await (const line of createInterface({ input: events })) {
    if (!line) continue;
    const value = JSON.parse(line) as object | ErrorBody;
    if ('error' in value) fail(value.error.message);
    clearTimeout(timer);
    timer = setTimeout(draw, SETTLE_MS);
  }
  fail('the daemon closed the event stream (it stopped?): run `minipod topology --watch` again once it is back');
}
