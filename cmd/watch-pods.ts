// `ps -w` / `get pods -w`, as kubectl get -w: the table, then a row each time a pod changes
// (its phase, readiness, restarts, IP; with -o wide its pause, netns, veth) and a last one, as
// Terminating, when it is gone, until Ctrl-C. What
// changed is asked for when the daemon records an event (`events -f`, the same stream) and once a
// second besides (a container turning ready records none); a row is printed when its cells other
// than AGE differ from the last printed. Watching `kill --sandbox` shows Running, SandboxLost,
// Recreating and Running again, with the new pause pid.
import { createInterface } from 'node:readline';
import { getOnce } from '../lib/api/get-once.js';
import type { ErrorBody } from '../lib/api/protocol.js';
import { MinipodError } from '../lib/errors.js';
import { TABLE_ACCEPT, type PodTable } from '../lib/pod/table.js';
import { coalesced } from '../lib/util/coalesce.js';
import { client } from './client.js';
import { fail, listQuery, socketOf } from './common.js';
import { shownColumns } from './output/pods.js';
import type { ListArgs } from './list-pods.js';

const REFRESH_MS = 1000;

/** The head and, by pod (namespace/name), the cells shown and the text that says whether a row changed (AGE left out). */
export function rowsOf(table: PodTable, wide: boolean, allNamespaces: boolean): { head: string[]; rows: { key: string; cells: string[]; sig: string }[] } {
  const shown = shownColumns(table, wide);
  const age = table.columnDefinitions.findIndex((c) => c.name === 'AGE');
  const head = [...(allNamespaces ? ['NAMESPACE'] : []), ...shown.map((i) => table.columnDefinitions[i]!.name)];
  const rows = table.rows.map((r) => {
    const ns = r.object.metadata.namespace;
    const cells = [...(allNamespaces ? [ns] : []), ...shown.map((i) => r.cells[i] ?? '')];
    return { key: `${ns}/${r.object.metadata.name}`, cells, sig: shown.filter((i) => i !== age).map((i) => r.cells[i] ?? '').join('\t') };
  });
  return { head, rows };
}

/** A row under the first table's columns (three spaces apart; a wider cell widens its row only). */
export function watchRow(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('   ').trimEnd();
}

export async function watchPods(argv: ListArgs, wide: boolean, headers: boolean): Promise<void> {
  const query = listQuery(argv);
  const socket = socketOf(argv);
  try {
    const ask = async () => {
      const table = await getOnce<PodTable>(socket, `/pods${query}`, { namespace: argv.namespace, accept: TABLE_ACCEPT });
      if (table.kind !== 'Table') throw new MinipodError('UNAVAILABLE', 'this daemon is older than `-w` (it sends no Table): `minipod node restart` replaces it');
      return table;
    };
    const first = rowsOf(await ask(), wide, argv.allNamespaces);
    // By pod, the row last printed: what a change is told from, and a gone pod's last row.
    const printed = new Map(first.rows.map((r) => [r.key, r]));
    const status = first.head.indexOf('STATUS');
    const lines = [...(headers ? [first.head] : []), ...first.rows.map((r) => r.cells)];
    // The columns as the table printed them (formatTable's plain layout): each as wide as its widest cell.
    const widths = first.head.map((_, i) => Math.max(1, ...lines.map((l) => l[i]!.length)));
    let headed = !headers || first.rows.length > 0; // with no pod yet, the header comes with the first
    if (first.rows.length) for (const l of lines) process.stdout.write(`${watchRow(l, widths)}\n`);
    const refresh = coalesced(async () => {
      const { rows } = rowsOf(await ask(), wide, argv.allNamespaces);
      // One gone: its last row once more, Terminating, as kubectl prints a deleted pod's; then it is
      // forgotten (made again under its name, it is printed even if it looks the same).
      const now = new Set(rows.map((r) => r.key));
      for (const key of [...printed.keys()].filter((k) => !now.has(k))) {
        const cells = [...printed.get(key)!.cells];
        cells[status] = 'Terminating';
        process.stdout.write(`${watchRow(cells, widths)}\n`);
        printed.delete(key);
      }
      for (const row of rows) {
        if (printed.get(row.key)?.sig === row.sig) continue;
        printed.set(row.key, row);
        if (!headed) process.stdout.write(`${watchRow(first.head, widths)}\n`);
        headed = true;
        process.stdout.write(`${watchRow(row.cells, widths)}\n`);
      }
    });
    const tick = setInterval(() => void refresh().catch(fail), REFRESH_MS);
    const q = new URLSearchParams({ follow: 'true', ...(argv.allNamespaces ? { allNamespaces: 'true' } : {}) });
    const res = await client(argv).send('GET', `/events?${q}`);
    for await (const line of createInterface({ input: res })) {
      if (!line) continue;
      const value = JSON.parse(line) as object;
      if ('error' in value) fail((value as ErrorBody).error.message); // the daemon cut this watch off
      void refresh().catch(fail);
    }
    clearInterval(tick);
    throw new MinipodError('UNAVAILABLE', 'the minipod daemon ended this stream: it stopped, or `node restart` replaced it; run the command again once it answers');
  } catch (err) {
    fail(err);
  }
}
