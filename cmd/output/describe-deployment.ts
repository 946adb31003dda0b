// `describe deployment NAME` in kubectl describe's layout (Name:, Selector:, Replicas:,
// StrategyType:, Pod Template:, Conditions:, Events:). minipod has no ReplicaSets: where kubectl
// names the new one, minipod names the template's hash and its pods. Pure: status, events, clock in.
import { replicasOf, type DeploymentStatus } from '../../lib/deploy/status.js';
import { deploymentConditions } from './deployment-object.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { aligned, columns, describeTime, environmentRow, eventLines, specHeadRows, specTailRows, type Row } from './describe.js';

export function describeDeployment(d: DeploymentStatus, events: PodEvent[], now = Date.now()): string {
  const m = d.manifest;
  const kv = (x: Record<string, string> | undefined) => Object.entries(x ?? {}).map(([k, v]) => `${k}=${v}`);
  const want = replicasOf(d);
  const s = d.status;
  const lines = aligned([
    [0, 'Name', d.name],
    [0, 'Namespace', m.metadata.namespace],
    [0, 'CreationTimestamp', describeTime(d.createdAt)],
    [0, 'Labels', kv(m.metadata.labels)],
    [0, 'Annotations', kv(m.metadata.annotations)],
    [0, 'Selector', kv(m.spec.selector.matchLabels).join(',')],
    [0, 'Replicas', `${want} desired | ${s.updatedReplicas} updated | ${s.replicas} total | ${s.availableReplicas} available | ${Math.max(0, want - s.availableReplicas)} unavailable`],
    [0, 'StrategyType', m.spec.strategy?.type ?? 'Recreate'],
    [0, 'Generation', String(d.generation)],
    ...(d.deletionTimestamp ? [[0, 'Deleting Since', describeTime(d.deletionTimestamp)] as Row] : []),
  ]);
  const t = m.spec.template;
  const containers: Row[] = t.spec.containers.flatMap((c) => [`   ${c.name}:`, ...specHeadRows(c, [...(c.command ?? []), ...(c.args ?? [])]), ...specTailRows(c), environmentRow(c)]);
  lines.push(
    'Pod Template:',
    ...aligned([[2, 'Labels', kv(t.metadata.labels)], ...(t.metadata.annotations ? [[2, 'Annotations', kv(t.metadata.annotations)] as Row] : []), '  Containers:', ...containers, [2, 'Volumes', (t.spec.volumes ?? []).map((v) => v.name)]]),
    'Conditions:',
    ...columns(2, [['Type', 'Status', 'Reason'], ['----', '------', '------'], ...deploymentConditions(d)]),
    ...aligned([[0, 'Template Hash', `${d.templateHash} (pod-template-hash)`], [0, 'Pods', s.pods]]),
    ...eventLines(events.filter((e) => e.podUid === d.uid), now),
  );
  return `${lines.join('\n')}\n`;
}
