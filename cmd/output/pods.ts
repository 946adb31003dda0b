// Pods as `ps` / `get pods` print them: kubectl's table, -o wide (the blog's `docker ps` and
// `docker inspect` in one line: node, pause pid, net:[inode], host veth), or the Pod object as
// JSON, YAML, pod/NAME or a jsonpath template.
import { hostname } from 'node:os';
import { allContainers, initStatus } from '../../lib/pod/init-status.js';
import { podIPOf } from '../../lib/pod/host-network.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { age } from './times.js';
import type { OutputFormat } from './format.js';
import { renderTemplate } from './jsonpath.js';
import { podListObject, podObject } from './pod-object.js';

/** The node's name for a record older than its nodeName (the daemon's --node-name): the host name. */
export const nodeName = (): string => hostname();

/** kubectl's STATUS: the phase, unless a container's state says more (Error, Completed…). */
export function podStatus(p: PodRecord): string {
  const mismatch = p.conditions?.find((c) => c.type === 'NetnsMismatch');
  if (mismatch) return mismatch.type;
  if (p.phase !== 'Running') return p.phase;
  const init = initStatus(p);
  if (init) return init;
  const waiting = p.containers.find((c) => c.state !== 'Running');
  return waiting?.reason ?? (waiting ? waiting.state : 'Running');
}

/** A kubectl-style table: no borders, columns three spaces apart, no trailing blanks. */
export async function printTable(head: string[], rows: string[][]): Promise<void> {
  process.stdout.write(await formatTable(head, rows));
}

export async function formatTable(head: string[], rows: string[][]): Promise<string> {
  // Plain ASCII cells on one line each (what ps prints) are padded here: cli-table3 measures every
  // cell's display width and takes ~0.4 s for 1000 rows; it stays for what it alone gets right.
  if ([head, ...rows].every((r) => r.every((c) => PLAIN.test(c)))) return plainTable([head, ...rows]);
  const { default: Table } = await import('cli-table3'); // only the table output needs it
  const table = new Table({ head, chars: borderless, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
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

export const POD_HEAD = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP'];
export const WIDE_HEAD = [...POD_HEAD, 'NODE', 'PAUSE', 'NETNS', 'VETH'];

/** NAME, READY, STATUS, RESTARTS, AGE, IP; wide adds NODE, the pause pid, its net:[inode] and the host veth. */
export function podRow(p: PodRecord, wide: boolean, node: string, now = Date.now()): string[] {
  const ready = p.containers.filter((c) => c.ready).length;
  const restarts = allContainers(p).reduce((n, c) => n + c.restartCount, 0);
  const row = [p.name, `${ready}/${p.containers.length}`, podStatus(p), String(restarts), age(p.createdAt, now), podIPOf(p) || '<none>'];
  if (!wide) return row;
  return [...row, p.nodeName ?? node, p.sandbox ? String(p.sandbox.pid) : '<none>', p.sandbox?.netns ?? '<none>', p.sandbox?.hostVeth || '<none>']; // '': hostNetwork, none
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
    {
      // -A: kubectl's NAMESPACE column first.
      const head = format.kind === 'wide' ? WIDE_HEAD : POD_HEAD;
      const rows = pods.map((p) => podRow(p, format.kind === 'wide', node));
      return allNamespaces ? formatTable(['NAMESPACE', ...head], rows.map((r, i) => [pods[i]!.namespace ?? 'default', ...r])) : formatTable(head, rows);
    }
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
