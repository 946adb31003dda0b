// `describe pod NAME` in kubectl describe's layout (Name:, Namespace:, Node:, Start Time:, Status:,
// IP:, Containers:, Conditions:, Events:), with minipod's sandbox (pause pid, namespaces, veth,
// attempt) beside the containers. Pure: the record, its events and the clock in, text out.
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { age } from '../common.js';
import { kubernetesPhase, podObject } from './pod-object.js';

/** RFC 1123 with a numeric zone, as kubectl prints times: "Sat, 28 Nov 2026 10:20:31 +0000" (UTC). */
export function describeTime(iso: string | null | undefined): string {
  if (!iso) return '<unknown>';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toUTCString().replace('GMT', '+0000');
}

/** "Label:" then its value, values of one block aligned (kubectl's tabwriter). */
function block(indent: number, rows: [string, string | string[]][]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const pad = ' '.repeat(indent);
  return rows.flatMap(([k, v]) => {
    const values = Array.isArray(v) ? v : [v];
    const [first = '<none>', ...rest] = values.length ? values : ['<none>'];
    return [`${pad}${`${k}:`.padEnd(width)}${first}`.trimEnd(), ...rest.map((r) => `${pad}${' '.repeat(width)}${r}`)];
  });
}

/** Columns two spaces apart, indented, no trailing blanks. */
function columns(indent: number, rows: string[][]): string[] {
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
  const lines = block(0, [
    ['Name', r.name],
    ['Namespace', meta.namespace],
    ['Node', `${node}/${r.gateway}`],
    ['Start Time', describeTime(r.createdAt)],
    ['Labels', kv(meta.labels)],
    ['Annotations', kv(meta.annotations)],
    ['Status', status],
    ...(r.message ? [['Message', r.message] as [string, string]] : []),
    ['IP', r.ip || '<none>'],
  ]);
  lines.push('IPs:', ...(r.ip ? block(2, [['IP', r.ip]]) : ['  <none>']));
  if (owner) lines.push(...block(0, [['Controlled By', `${owner.kind}/${owner.name}`]]));
  lines.push(...block(0, [
    ['Restart Policy', spec.restartPolicy],
    ['Sandbox Death Policy', spec.sandboxDeathPolicy],
    ['Grace Period', `${spec.terminationGracePeriodSeconds}s`],
    ...(spec.runtimeClassName ? [['Runtime Class Name', spec.runtimeClassName] as [string, string]] : []),
  ]));
  lines.push('Sandbox:');
  lines.push(...(r.sandbox
    ? block(2, [['Pause PID', String(r.sandbox.pid)], ['Network', r.sandbox.netns], ['Host Veth', `${r.sandbox.hostVeth} (on ${r.bridge})`], ['MAC', r.mac], ['Attempt', String(r.sandbox.attempt)], ['Created', describeTime(r.sandbox.createdAt)]])
    : ['  <none>']));
  lines.push('Containers:', ...r.containers.flatMap((c) => describeContainer(r, c.name)));
  lines.push('Conditions:', ...columns(2, [['Type', 'Status'], ...(pod.status.conditions as { type: string; status: string }[]).map((c) => [c.type, c.status])]));
  const mine = events.filter((e) => e.podUid === r.uid);
  if (!mine.length) lines.push('Events:  <none>');
  else {
    const rows = mine.map((e) => [e.type, e.reason, age(e.time, now), 'minipod', e.container ? `container ${e.container}: ${e.message}` : e.message]);
    lines.push('Events:', ...columns(2, [['Type', 'Reason', 'Age', 'From', 'Message'], ['----', '------', '----', '----', '-------'], ...rows]));
  }
  return `${lines.join('\n')}\n`;
}

function describeContainer(r: PodRecord, name: string): string[] {
  const c = r.containers.find((x) => x.name === name)!;
  const s = r.manifest.spec.containers.find((x) => x.name === name);
  const rows: [string, string | string[]][] = [];
  if (c.containerID) rows.push(['Container ID', c.containerID]);
  rows.push(['Image', s?.image ?? '<none> (a process on the node, started with nsenter)']);
  if (s?.image) rows.push(['Image ID', c.imageID ?? '']);
  const ports = s?.ports ?? [];
  rows.push(['Port', ports.length ? ports.map((p) => `${p.containerPort}/${p.protocol}`).join(', ') : '<none>']);
  if (ports.some((p) => p.hostPort)) rows.push(['Host Port', ports.map((p) => `${p.hostPort ?? 0}/${p.protocol}`).join(', ')]);
  const out = [`  ${name}:`, ...block(4, rows)];
  const argv = c.argv.length ? c.argv : [...(s?.command ?? []), ...(s?.args ?? [])];
  out.push('    Command:', ...argv.map((a) => `      ${a}`));
  out.push(...block(4, [['State', c.state]]));
  const now: [string, string][] = [];
  if (c.state === 'Waiting') now.push(['Reason', c.reason ?? 'ContainerCreating'], ...(c.message ? [['Message', c.message] as [string, string]] : []));
  if (c.state === 'Running') now.push(['Started', describeTime(c.startedAt)]);
  if (c.state === 'Terminated') now.push(['Reason', c.reason ?? ''], ['Exit Code', c.exitCode === null ? `<none>${c.signal ? ` (${c.signal})` : ''}` : String(c.exitCode)], ['Started', describeTime(c.startedAt)], ['Finished', describeTime(c.finishedAt)]);
  if (now.length) out.push(...block(6, now));
  out.push(...block(4, [['Last State', c.lastState ? 'Terminated' : '<none>']]));
  if (c.lastState) {
    const l = c.lastState;
    out.push(...block(6, [['Reason', l.reason], ['Exit Code', l.exitCode === null ? `<none>${l.signal ? ` (${l.signal})` : ''}` : String(l.exitCode)], ['Started', describeTime(l.startedAt)], ['Finished', describeTime(l.finishedAt)]]));
  }
  const limits = s?.resources?.limits;
  const requests = s?.resources?.requests;
  out.push(...block(4, [['Ready', c.ready ? 'True' : 'False'], ['Restart Count', String(c.restartCount)]]));
  for (const [title, list] of [['Limits', limits], ['Requests', requests]] as const) {
    if (list && Object.keys(list).length) out.push(`    ${title}:`, ...block(6, Object.entries(list).map(([k, v]) => [k, String(v)])));
  }
  out.push(...block(4, [
    ['PID', c.pid ? String(c.pid) : '<none>'],
    ['Runtime', c.runtime ?? '<unknown>'],
    ['Namespaces', [c.netns, c.mntns, c.pidns].filter(Boolean).join(' ') || '<none>'],
    ['Environment', (s?.env ?? []).map((e) => `${e.name}=${e.value}`)],
  ]));
  return out;
}
