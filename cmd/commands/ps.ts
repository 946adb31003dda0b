import type { PodList } from '../../lib/api/protocol.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { age, client, fail, verb } from '../common.js';

/** kubectl's STATUS: the phase, unless a container's state says more (Error, Completed…). */
export function podStatus(p: PodRecord): string {
  const mismatch = p.conditions?.find((c) => c.type === 'NetnsMismatch');
  if (mismatch) return mismatch.type;
  if (p.phase !== 'Running') return p.phase;
  const waiting = p.containers.find((c) => c.state !== 'Running');
  return waiting?.reason ?? (waiting ? waiting.state : 'Running');
}

/** A kubectl-style table: no borders, columns three spaces apart, no trailing blanks. */
export async function printTable(head: string[], rows: string[][]): Promise<void> {
  const { default: Table } = await import('cli-table3'); // only the table output needs it
  const table = new Table({ head, chars: borderless, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  table.push(...rows);
  process.stdout.write(`${table.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`);
}

const borderless = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '   ' };

/** NAME, READY, STATUS, RESTARTS, AGE, IP (or the records as JSON). */
export async function printPods(pods: PodRecord[], json: boolean): Promise<void> {
  if (json) return void process.stdout.write(`${JSON.stringify(pods, null, 2)}\n`);
  await printTable(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP'], pods.map((p) => {
    const ready = p.containers.filter((c) => c.ready).length;
    const restarts = p.containers.reduce((n, c) => n + c.restartCount, 0);
    return [p.name, `${ready}/${p.containers.length}`, podStatus(p), String(restarts), age(p.createdAt), p.ip || '<none>'];
  }));
}

export const ps = verb<{ json: boolean }>({
  command: 'ps',
  describe: 'List pods',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print the pod records as JSON' }),
  handler: async (argv) => {
    try {
      await printPods((await client(argv).request<PodList>('GET', '/pods')).pods, argv.json);
    } catch (err) {
      fail(err);
    }
  },
});
