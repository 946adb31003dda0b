// `ps -w` (cmd/watch-pods.ts): which rows are printed again (a change in any cell but AGE), and
// how a later row lines up under the first table.
import test from 'ava';
import { rowsOf, watchRow } from '../../../cmd/watch-pods.js';
import { podTable } from '../../../lib/pod/table.js';
import { validRecord } from '../../helpers/record.js';

const now = Date.parse('2024-01-01T00:01:00.000Z');

test('a row is told apart by every cell but AGE; -A puts the namespace first; -o wide shows the sandbox', (t) => {
  const r = validRecord('/state');
  const a = rowsOf(podTable([r], 'node1', now), false, false);
  const later = rowsOf(podTable([r], 'node1', now + 60_000), false, false);
  t.deepEqual(a.head, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP']);
  t.is(a.rows[0]!.key, `default/${r.name}`);
  t.is(later.rows[0]!.sig, a.rows[0]!.sig, 'older, nothing else: not printed again');
  t.not(later.rows[0]!.cells.join(), a.rows[0]!.cells.join());
  const lost = rowsOf(podTable([{ ...r, phase: 'SandboxLost' }], 'node1', now), false, false);
  t.not(lost.rows[0]!.sig, a.rows[0]!.sig, 'a new phase is a change');
  const all = rowsOf(podTable([r], 'node1', now), true, true);
  t.deepEqual(all.head, ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'PAUSE', 'NETNS', 'VETH']);
  t.is(all.rows[0]!.cells[0], 'default');
  const rebuilt = rowsOf(podTable([{ ...r, sandbox: { ...r.sandbox!, pid: 99999 } }], 'node1', now), true, false);
  t.not(rebuilt.rows[0]!.sig, rowsOf(podTable([r], 'node1', now), true, false).rows[0]!.sig, 'with -o wide, a new pause is a change');
});

test('a later row lines up under the columns printed first; a wider cell widens its row only', (t) => {
  t.is(watchRow(['web', '1/1', 'Running'], [5, 5, 7]), 'web     1/1     Running');
  t.is(watchRow(['a-much-longer-name', '1/1', 'SandboxLost'], [5, 5, 7]), 'a-much-longer-name   1/1     SandboxLost');
});
