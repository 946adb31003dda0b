// `describe pod NAME` in kubectl describe's layout (Name:, Namespace:, Node:, Start Time:, Status:,
// IP:, Containers:, Conditions:, Events:), with minipod's sandbox (pause pid, namespaces, veth,
// attempt) beside the containers. Pure: the record, its events and the clock in, text out.
import type { Probe } from '../../lib/manifest/probes.js';
import { allContainers } from '../../lib/pod/init-status.js';
import { isHostNetwork, podIPOf } from '../../lib/pod/host-network.js';
import { sandboxDown } from '../../lib/pod/table.js';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { age } from './times.js';
import { imageID, kubernetesPhase, podObject, previousRun } from './pod-object.js';

/** RFC 1123 with a numeric zone, as kubectl prints times: "Sat, 28 Nov 2026 10:20:31 +0000" (UTC). */
export function describeTime(iso: string | null | undefined): string {
  if (!iso) return '<unknown>';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toUTCString().replace('GMT', '+0000');
}

/** A field at an indent with its value (several: one a line); a string is a line as it is. */
export type Row = [indent: number, label: string, value: string | string[]] | string;

/** Values aligned in one column for the whole section, nested fields too (kubectl's tabwriter). */
export function aligned(rows: Row[]): string[] {
  const width = Math.max(0, ...rows.map((r) => (typeof r === 'string' ? 0 : r[0] + r[1].length + 3)));
  return rows.flatMap((r) => {
    if (typeof r === 'string') return [r];
    const [indent, k, v] = r;
    const values = Array.isArray(v) ? v : [v];
    const [first = '<none>', ...rest] = values.length ? values : ['<none>'];
    return [`${' '.repeat(indent)}${k}:`.padEnd(width) + first, ...rest.map((x) => ' '.repeat(width) + x)].map((l) => l.trimEnd());
  });
}

/** Columns two spaces apart, indented, no trailing blanks. */
export function columns(indent: number, rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => (' '.repeat(indent) + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join('')).trimEnd());
}

export function describePod(r: PodRecord, events: PodEvent[], node: string, now = Date.now()): string {
  const pod = podObject(r, node);
  const spec = r.manifest.spec;
  const meta = pod.metadata as { namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  const kv = (m: Record<string, string> | undefined) => Object.entries(m ?? {}).map(([k, v]) => `${k}=${v}`);
  const phase = kubernetesPhase(r);
  const status = r.deletionTimestamp ? 'Terminating' : phase === r.phase ? phase : `${phase} (minipod: ${r.phase})`;
  const owner = r.manifest.metadata.ownerReferences?.find((o) => o.controller) ?? r.manifest.metadata.ownerReferences?.[0];
  const s = r.sandbox;
  const lines = aligned([
    [0, 'Name', r.name],
    [0, 'Namespace', meta.namespace],
    [0, 'Node', `${r.nodeName ?? node}/${r.gateway}`],
    [0, 'Start Time', describeTime(r.createdAt)],
    [0, 'Labels', kv(meta.labels)],
    [0, 'Annotations', kv(meta.annotations)],
    [0, 'Status', status],
    ...(r.message ? [[0, 'Message', r.message] as Row] : []),
    [0, 'IP', podIPOf(r) || '<none>'],
    'IPs:',
    podIPOf(r) ? `  IP:  ${podIPOf(r)}` : '  <none>',
    ...(isHostNetwork(r) ? [[0, 'Host Network', 'true (the node\'s network and UTS namespaces)'] as Row] : []),
    ...(owner ? [[0, 'Controlled By', `${owner.kind}/${owner.name}`] as Row] : []),
    [0, 'Restart Policy', spec.restartPolicy],
    [0, 'Sandbox Death Policy', spec.sandboxDeathPolicy],
    [0, 'Grace Period', `${spec.terminationGracePeriodSeconds}s`],
    ...(spec.runtimeClassName ? [[0, 'Runtime Class Name', spec.runtimeClassName] as Row] : []),
  ]);
  lines.push('Sandbox:', ...(s
    ? aligned([[2, 'Pause PID', String(s.pid)], [2, 'Network', s.netns], ...(s.hostVeth ? [[2, 'Host Veth', `${s.hostVeth} (on ${r.bridge})`], [2, 'MAC', r.mac]] as Row[] : [[2, 'Host Veth', '<none> (hostNetwork)'] as Row]), [2, 'Attempt', String(s.attempt)], [2, 'Created', describeTime(s.createdAt)]])
    : ['  <none>']));
  if (r.initContainers) lines.push('Init Containers:', ...r.initContainers.flatMap((c) => aligned(containerRows(r, c.name))));
  lines.push('Containers:', ...r.containers.flatMap((c) => aligned(containerRows(r, c.name))));
  lines.push('Conditions:', ...columns(2, [['Type', 'Status'], ...(pod.status.conditions as { type: string; status: string }[]).map((c) => [c.type, c.status])]));
  lines.push(...eventLines(events.filter((e) => e.podUid === r.uid), now));
  return `${lines.join('\n')}\n`;
}

/** The Events: section, in kubectl's columns (the events of one object). */
export function eventLines(events: PodEvent[], now: number): string[] {
  if (!events.length) return ['Events:  <none>'];
  const rows = events.map((e) => [e.type, e.reason, age(e.time, now), 'minipod', e.container ? `container ${e.container}: ${e.message}` : e.message]);
  return ['Events:', ...columns(2, [['Type', 'Reason', 'Age', 'From', 'Message'], ['----', '------', '----', '----', '-------'], ...rows])];
}

const exitCode = (t: { exitCode: number | null; signal: string | null }) => (t.exitCode === null ? `<none>${t.signal ? ` (${t.signal})` : ''}` : String(t.exitCode));

type ContainerSpec = PodRecord['manifest']['spec']['containers'][number];

/** A container of a spec, its first fields (kubectl's order): Image (and after it, for a pod, its Image ID), Port, Host Port, Command. */
export function specHeadRows(s: ContainerSpec | undefined, argv: string[], imageIDRow: Row[] = []): Row[] {
  const ports = s?.ports ?? [];
  const rows: Row[] = [[4, 'Image', s?.image ?? '<none> (a process on the node, started with nsenter)'], ...(s?.image ? imageIDRow : [])];
  rows.push([4, 'Port', ports.length ? ports.map((p) => `${p.containerPort}/${p.protocol}`).join(', ') : '<none>']);
  if (ports.some((p) => p.hostPort)) rows.push([4, 'Host Port', ports.map((p) => `${p.hostPort ?? 0}/${p.protocol}`).join(', ')]);
  if (argv.length) rows.push('    Command:', ...argv.map((a) => `      ${a}`)); // none: kubectl leaves it out
  return rows;
}

/** Its last fields: Limits, Requests, the probes, then (after a pod's own) Environment. */
export function specTailRows(s: ContainerSpec | undefined): Row[] {
  const rows: Row[] = [];
  for (const [title, list] of [['Limits', s?.resources?.limits], ['Requests', s?.resources?.requests]] as const) {
    if (list && Object.keys(list).length) rows.push(`    ${title}:`, ...Object.entries(list).map(([k, v]) => [6, k, String(v)] as Row));
  }
  for (const [title, probe] of [['Liveness', s?.livenessProbe], ['Readiness', s?.readinessProbe], ['Startup', s?.startupProbe]] as const) if (probe) rows.push([4, title, describeProbe(probe)]);
  return rows;
}

export const environmentRow = (s: ContainerSpec | undefined): Row => [4, 'Environment', (s?.env ?? []).map((e) => `${e.name}=${e.value}`)];

function containerRows(r: PodRecord, name: string): Row[] {
  const c = allContainers(r).find((x) => x.name === name)!;
  const s = [...(r.manifest.spec.initContainers ?? []), ...r.manifest.spec.containers].find((x) => x.name === name);
  const argv = c.argv.length ? c.argv : [...(s?.command ?? []), ...(s?.args ?? [])];
  const rows: Row[] = [`  ${name}:`];
  if (c.containerID) rows.push([4, 'Container ID', c.containerID]);
  rows.push(...specHeadRows(s, argv, [[4, 'Image ID', imageID(c.imageID)]]));
  rows.push([4, 'State', c.state]);
  if (c.state === 'Waiting') rows.push([6, 'Reason', c.reason ?? 'ContainerCreating'], ...(c.message ? [[6, 'Message', c.message] as Row] : []));
  if (c.state === 'Running') rows.push([6, 'Started', describeTime(c.startedAt)]);
  if (c.state === 'Terminated') rows.push([6, 'Reason', c.reason ?? ''], [6, 'Exit Code', exitCode(c)], [6, 'Started', describeTime(c.startedAt)], [6, 'Finished', describeTime(c.finishedAt)]);
  const l = previousRun(c);
  rows.push([4, 'Last State', l ? 'Terminated' : '<none>']);
  if (l) rows.push([6, 'Reason', l.reason], [6, 'Exit Code', exitCode(l)], [6, 'Started', describeTime(l.startedAt)], [6, 'Finished', describeTime(l.finishedAt)]);
  rows.push([4, 'Ready', c.ready && !sandboxDown(r) ? 'True' : 'False'], [4, 'Restart Count', String(c.restartCount)]);
  rows.push(
    ...specTailRows(s),
    [4, 'PID', c.pid ? String(c.pid) : '<none>'],
    [4, 'Runtime', c.runtime ?? '<unknown>'],
    [4, 'Namespaces', [c.netns, c.mntns, c.pidns].filter(Boolean).join(' ') || '<none>'],
    environmentRow(s),
  );
  return rows;
}

/** kubectl describe's one line: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`. */
export function describeProbe(p: Probe): string {
  const handler = p.exec
    ? `exec [${p.exec.command.join(' ')}]`
    : p.httpGet
      ? `http-get ${p.httpGet.scheme.toLowerCase()}://${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path}`
      : `tcp-socket ${p.tcpSocket?.host ?? ''}:${p.tcpSocket?.port}`;
  return `${handler} delay=${p.initialDelaySeconds}s timeout=${p.timeoutSeconds}s period=${p.periodSeconds}s #success=${p.successThreshold} #failure=${p.failureThreshold}`;
}
