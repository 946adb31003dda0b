// Pods as `ps` / `get pods` print them: kubectl's table, -o wide (the blog's `docker ps` and
// `docker inspect` in one line: node, pause pid, net:[inode], host veth), or the Pod object as
// JSON, YAML, pod/NAME or a jsonpath template.
import { hostname } from 'node:os';
import { podTable, type PodTable } from '../../lib/pod/table.js';
import type { PodRecord } from '../../lib/pod/types.js';
import type { OutputFormat } from './format.js';
import { renderTemplate } from './jsonpath.js';
import { podListObject, podObject } from './pod-object.js';

/** The node's name for a record older than its nodeName (the daemon's --node-name): the host name. */
export const nodeName = (): string => hostname();

/** A kubectl-style table: no borders, columns three spaces apart, no trailing blanks. */
export async function printTable(head: string[], rows: string[][], headers = true): Promise<void> {
  process.stdout.write(await formatTable(head, rows, headers));
}

/** The table; without headers (kubectl's --no-headers) its rows alone, their columns as wide as they need. */
export async function formatTable(head: string[], rows: string[][], headers = true): Promise<string> {
  // Plain ASCII cells on one line each (what ps prints) are padded here: cli-table3 measures every
  // cell's display width and takes ~0.4 s for 1000 rows; it stays for what it alone gets right.
  const lines = headers ? [head, ...rows] : rows;
  if (!lines.length) return '';
  if (lines.every((r) => r.every((c) => PLAIN.test(c)))) return plainTable(lines);
  const { default: Table } = await import('cli-table3'); // only the table output needs it
  const table = new Table({ ...(headers ? { head } : {}), chars: borderless, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  table.push(...rows);
  return `${table.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}

const PLAIN = /^[\x20-\x7e]*$/;

/** cli-table3's borderless output for plain cells: each column as wide as its widest cell (at least 1). */
function plainTable(lines: string[][]): string {
  const widths: number[] = [];
  for (const line of lines) line.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 1, c.length)));
  return lines.map((line) => line.map((c, i) => c.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n') + '\n';
}

const borderless = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '   ' };

/** The columns a table shows: those of priority 0, or with wide all of them (their indexes). */
export const shownColumns = (table: PodTable, wide: boolean): number[] => table.columnDefinitions.flatMap((c, i) => (wide || c.priority === 0 ? [i] : []));

/** A pod Table as ps prints it: the columns of priority 0 (with wide, all); -A puts kubectl's NAMESPACE first. */
export function formatPodTable(table: PodTable, wide: boolean, allNamespaces: boolean, headers = true): Promise<string> {
  const shown = shownColumns(table, wide);
  const head = shown.map((i) => table.columnDefinitions[i]!.name);
  const rows = table.rows.map((r) => shown.map((i) => r.cells[i] ?? ''));
  return allNamespaces ? formatTable(['NAMESPACE', ...head], rows.map((r, i) => [table.rows[i]!.object.metadata.namespace, ...r]), headers) : formatTable(head, rows, headers);
}

/**
 * The pods in a format; `single` (get pod NAME) prints the one Pod object, otherwise a List, as
 * kubectl does. The text ends with a newline, except a jsonpath's, which is exactly the template's.
 */
export async function formatPods(pods: PodRecord[], format: OutputFormat, single = false, node = nodeName(), allNamespaces = false): Promise<string> {
  const object = () => (single && pods.length === 1 ? podObject(pods[0]!, node) : podListObject(pods, node));
  switch (format.kind) {
    case 'table':
    case 'wide':
      return formatPodTable(podTable(pods, node), format.kind === 'wide', allNamespaces, !format.noHeaders);
    case 'json':
      return `${JSON.stringify(object(), null, 4)}\n`;
    case 'yaml':
      return (await import('yaml')).stringify(object()); // loaded only when asked for, as cli-table3
    case 'name':
      return pods.map((p) => `pod/${p.name}\n`).join('');
    case 'jsonpath':
      return renderTemplate(format.template, object());
  }
}
