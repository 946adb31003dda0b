// The pod Table (lib/pod/table.ts): what `GET /pods` answers to kubectl's Accept …;as=Table, and
// what the CLI prints from it: the same text as from the records themselves.
import test from 'ava';
import { formatPodTable, formatPods } from '../../../cmd/output/pods.js';
import { asksForTable, podTable, TABLE_ACCEPT } from '../../../lib/pod/table.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { validRecord } from '../../helpers/record.js';

function pods(): PodRecord[] {
  const web = validRecord('/tmp/state');
  const api = { ...validRecord('/tmp/state'), name: 'api', namespace: 'team-a', ip: '10.88.0.9' };
  api.containers = [{ ...api.containers[0]!, ready: false }];
  return [web, api];
}

test("a Table's columns are ps's, the wide ones of priority 1; each row names its pod and namespace", (t) => {
  const table = podTable(pods(), 'node1', Date.parse('2024-01-01T00:01:00.000Z'));
  t.is(table.kind, 'Table');
  t.deepEqual(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP']);
  t.deepEqual(table.columnDefinitions.filter((c) => c.priority === 1).map((c) => c.name), ['NODE', 'PAUSE', 'NETNS', 'VETH']);
  t.deepEqual(table.rows[0]!.cells.slice(0, 6), ['web', '1/1', 'Running', '0', '60s', '10.88.0.2']);
  t.deepEqual(table.rows.map((r) => r.object.metadata), [{ name: 'web', namespace: 'default' }, { name: 'api', namespace: 'team-a' }]);
  t.is(table.rows[1]!.cells[1], '0/1');
});

test('the daemon decides READY: a container it no longer finds running does not count', (t) => {
  const table = podTable(pods(), 'node1', Date.now(), () => false);
  t.is(table.rows[0]!.cells[1], '0/1');
});

test('printed from the Table: the columns of priority 0, all with -o wide, NAMESPACE first with -A', async (t) => {
  const table = podTable(pods(), 'node1', Date.parse('2024-01-01T00:01:00.000Z'));
  t.is(await formatPodTable(table, false, false), ['NAME   READY   STATUS    RESTARTS   AGE   IP', 'web    1/1     Running   0          60s   10.88.0.2', 'api    0/1     Running   0          60s   10.88.0.9', ''].join('\n'));
  const wide = (await formatPodTable(table, true, true)).split('\n');
  t.regex(wide[0]!, /^NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE   IP          NODE    PAUSE   NETNS +VETH$/);
  t.regex(wide[1]!, /^default     web    1\/1     Running   0          60s   10\.88\.0\.2   node1   \d+ +net:\[\d+\] +\S+$/);
  t.regex(wide[2]!, /^team-a      api    0\/1 /);
  t.is(await formatPods(pods(), { kind: 'name' }), 'pod/web\npod/api\n', 'the other formats are the records\'');
});

test("a Table is asked for by an Accept with as=Table among its media ranges, as kubectl's", (t) => {
  t.true(asksForTable(TABLE_ACCEPT));
  t.true(asksForTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'));
  t.true(asksForTable('application/json; as=Table'));
  t.true(asksForTable('Application/JSON;AS=Table;G=meta.k8s.io'), 'type and parameter names in any case');
  for (const accept of [undefined, '', 'application/json', '*/*', 'application/json;as=PartialObjectMetadataList', 'text/as=Table', 'application/yaml;as=Table', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io', 'application/json;as=Table;g=apps']) t.false(asksForTable(accept), String(accept));
});
