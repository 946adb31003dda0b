// The --peers table (bench/peers.ts) and floor C's output parser (bench/floor.ts): ratios, units,
// a peer that was not measured, a row with no peer, and the phases' medians.
import test from 'ava';
import { parseFloor } from '../../../bench/floor.js';
import { formatTable, formatValue, phaseMedians, PeerTable, ratio } from '../../../bench/peers.js';

test('ratio is minipod over the peer, two decimals; nothing to divide by gives a dash', (t) => {
  t.is(ratio(6.2, 2.9), '2.14×');
  t.is(ratio(3, 12), '0.25×');
  t.is(ratio(5, undefined), '–');
  t.is(ratio(5, 0), '–');
  t.is(ratio(Number.NaN, 2), '–');
});

test('values carry their unit: ms to 0.1 (0.01 under 1 ms), s to 0.01, MiB to 0.1', (t) => {
  t.is(formatValue(6.24, 'ms'), '6.2 ms');
  t.is(formatValue(0.217, 'ms'), '0.22 ms');
  t.is(formatValue(4.254, 's'), '4.25 s');
  t.is(formatValue(93.04, 'MiB'), '93.0 MiB');
});

test('the table has one line per peer, the work and minipod figure on the first only, padded columns', (t) => {
  const table = new PeerTable();
  table.add('sandbox created, network wired', 'ms', 6, [{ name: 'floor C', value: 3 }, { name: 'CNI bridge: holder + ADD', value: 12 }]);
  table.add('daemon memory, 50 pods', 'MiB', 93);
  table.add('image pod', 'ms', 200, [{ name: 'podman', why: 'podman is not installed' }]);
  table.add('node restart, whole process', 'ms', 500, [{ name: 'node -e 0, paired', value: 100, pairedRatio: 4.5 }]);
  const lines = table.format().split('\n');
  const cells = (l: string) => l.split('|').map((c) => c.trim()).slice(1, -1);
  t.deepEqual([lines[0]!, ...lines.slice(2)].map(cells), [
    ['work', 'floor / peer', 'minipod', 'ratio (minipod / floor or peer)'],
    ['sandbox created, network wired', 'floor C 3.0 ms', '6.0 ms', '2.00×'],
    ['', 'CNI bridge: holder + ADD 12.0 ms', '', '0.50×'],
    ['daemon memory, 50 pods', '–', '93.0 MiB', '–'],
    ['image pod', 'podman: not measured (podman is not installed)', '200.0 ms', '–'],
    ['node restart, whole process', 'node -e 0, paired 100.0 ms', '500.0 ms', '4.50× (median of the pairs; medians 5.00×)'],
  ]);
  t.true(cells(lines[1]!).every((c) => /^-+$/.test(c)), 'the second line is the Markdown separator');
  t.is(new Set(lines.map((l) => l.length)).size, 1, 'every line is as long as the others (padded)');
  t.is(formatTable([]).split('\n').length, 2, 'no rows: the header and its separator');
});

test('floor C\'s "KIND MS" lines are parsed by kind; anything else is ignored', (t) => {
  const f = parseFloor('create 2.5\ncreate 3.5\nrecover 4\nkill 0.2\nvethgone 30\ncni-add 11\ncni-del 30.5\nnoise\n\n');
  t.deepEqual(f, { create: [2.5, 3.5], recover: [4], kill: [0.2], vethgone: [30], cniAdd: [11], cniDel: [30.5] });
});

test('phase medians keep the order the phases ran, a phase missing from a sample counting 0', (t) => {
  const m = phaseMedians([{ a: 1, b: 5 }, { a: 3, b: 7 }, { a: 2, c: 9 }]);
  t.deepEqual(m, [{ phase: 'a', median: 2 }, { phase: 'b', median: 5 }, { phase: 'c', median: 0 }]);
});
