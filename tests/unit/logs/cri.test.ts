// CRI's log line format (what rootfs/shim -l writes) parsed and rendered as `logs` prints it, and
// --since's durations and --since-time's times, all pure.
import test from 'ava';
import { formatRecord, LogRenderer, parseDuration, parseRecord, parseSinceTime } from '../../../lib/logs/cri.js';

const T1 = '2026-01-02T03:04:05.123456789Z';
const T2 = '2026-01-02T03:04:06.000000001Z';
const render = (text: string, opts = {}) => {
  const r = new LogRenderer(opts);
  return Buffer.concat([r.push(Buffer.from(text)), r.end()]).toString();
};

test('a record: its time (and epoch ms), stream, tag and content, a space in the content kept', (t) => {
  const r = parseRecord(Buffer.from(`${T1} stderr F a  b `))!;
  t.like(r, { time: T1, ms: Date.UTC(2026, 0, 2, 3, 4, 5, 123), stream: 'stderr', partial: false });
  t.is(r.content.toString(), 'a  b ');
  t.is(parseRecord(Buffer.from(`${T1} stdout P `))!.content.toString(), '');
  t.true(parseRecord(Buffer.from('2026-01-02T03:04:05+02:00 stdout F x'))!.ms === Date.UTC(2026, 0, 2, 1, 4, 5));
});

test('lines that are not records (an old raw log, a cut-off first line) are not parsed as ones', (t) => {
  for (const line of ['hello world', `${T1} stdin F x`, `${T1} stdout X x`, `${T1}stdout F x`, `2026-01-02 03:04:05Z stdout F x`, '']) {
    t.is(parseRecord(Buffer.from(line)), undefined, line);
  }
});

test('rendering: content only by default, with the time and the prefix on request', (t) => {
  const log = formatRecord(T1, 'stdout', 'one') + formatRecord(T2, 'stderr', 'two');
  t.is(render(log), 'one\ntwo\n');
  t.is(render(log, { timestamps: true }), `${T1} one\n${T2} two\n`);
  t.is(render(log, { prefix: '[pod/web/app] ', timestamps: true }), `[pod/web/app] ${T1} one\n[pod/web/app] ${T2} two\n`);
});

test('a line in P records is one line: prefixed, stamped and filtered by its first record; output that ended without a newline is kept so', (t) => {
  const log = formatRecord(T1, 'stdout', 'ab', true) + formatRecord(T2, 'stdout', 'cd') + formatRecord(T2, 'stdout', 'no newline', true);
  t.is(render(log), 'abcd\nno newline');
  t.is(render(log, { timestamps: true }), `${T1} abcd\n${T2} no newline`);
  t.is(render(log, { sinceMs: Date.parse(T2) }), 'no newline', 'the line that began before --since is left out whole');
});

test('--since leaves out older lines; raw lines (no time known) are kept', (t) => {
  const log = formatRecord(T1, 'stdout', 'old') + 'raw\n' + formatRecord(T2, 'stdout', 'new');
  t.is(render(log, { sinceMs: Date.parse(T2) }), 'raw\nnew\n');
});

test('chunks cut anywhere give the same output; only whole lines come out of push', (t) => {
  const log = Buffer.from(formatRecord(T1, 'stdout', 'héllo') + formatRecord(T2, 'stdout', 'world') + 'legacy line\n');
  for (let cut = 1; cut < log.length; cut++) {
    const r = new LogRenderer({ prefix: '> ' });
    const a = r.push(log.subarray(0, cut));
    t.true(a.length === 0 || a[a.length - 1] === 0x0a, `cut at ${cut}: whole lines`);
    t.is(Buffer.concat([a, r.push(log.subarray(cut)), r.end()]).toString(), '> héllo\n> world\n> legacy line\n');
  }
});

test('reset drops a held part (the file was truncated by a rotation)', (t) => {
  const r = new LogRenderer();
  r.push(Buffer.from(`${T1} stdout F hal`));
  r.reset();
  t.is(Buffer.concat([r.push(Buffer.from(formatRecord(T2, 'stdout', 'after'))), r.end()]).toString(), 'after\n');
});

test("durations as kubectl's --since takes them (Go's syntax); anything else is undefined", (t) => {
  t.is(parseDuration('30s'), 30_000);
  t.is(parseDuration('5m'), 300_000);
  t.is(parseDuration('1h30m'), 5_400_000);
  t.is(parseDuration('1.5h'), 5_400_000);
  t.is(parseDuration('250ms'), 250);
  for (const bad of ['', '5', '5q', 'm', '5m3', '-5m', ' 5m', '5 m', '1d']) t.is(parseDuration(bad), undefined, bad);
});

test('--since-time: RFC 3339 with Z or an offset, fractions allowed', (t) => {
  t.is(parseSinceTime('2024-05-01T10:00:00Z'), Date.UTC(2024, 4, 1, 10));
  t.is(parseSinceTime('2024-05-01T12:00:00.250+02:00'), Date.UTC(2024, 4, 1, 10, 0, 0, 250));
  for (const bad of ['2024-05-01', '2024-05-01T10:00:00', 'yesterday', '2024-13-01T10:00:00Z']) t.is(parseSinceTime(bad), undefined, bad);
});

test('a raw line longer than any record is passed on as it comes, not held whole', (t) => {
  const r = new LogRenderer({ prefix: '> ' });
  const zeros = Buffer.alloc(100 * 1024);
  const first = r.push(zeros);
  t.is(first.length, 2 + zeros.length, 'passed on at once, prefixed once');
  t.is(r.push(Buffer.from('tail\nnext\n')).toString(), 'tail\n> next\n');
});
