// Times in the CLI's JSON are RFC 3339 (issue 12, CLI point 9): a record's process start times
// (clock ticks after boot) and a recovery's epoch milliseconds are converted for inspect and
// ps --json, the record itself untouched; the events table shows LAST SEEN as an age.
import test from 'ava';
import { EVENTS_HEAD, formatEvent } from '../../../cmd/commands/events.js';
import { recordWithRfc3339, ticksToRfc3339 } from '../../../cmd/output/times.js';
import type { PodRecord, RecoveryTimeline } from '../../../lib/pod/types.js';
import { validRecord } from '../../helpers/record.js';

const BOOT = Date.parse('2026-11-28T10:00:00Z');
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

test('clock ticks after boot are 1/100 s: 5678 ticks is 56.78 s after boot; unknown boot or ticks: null', (t) => {
  t.is(ticksToRfc3339('5678', BOOT), '2026-11-28T10:00:56.780Z');
  t.is(ticksToRfc3339(null, BOOT), null);
  t.is(ticksToRfc3339('5678', undefined), null);
  t.is(ticksToRfc3339('garbage', BOOT), null);
});

test('every time in a presented record is RFC 3339, and the record itself is unchanged', (t) => {
  const r = validRecord('/state');
  const timeline: RecoveryTimeline = { cause: 'pause 1 killed by SIGKILL', action: 'recreate', attempt: 1, detectedAt: Date.parse('2026-11-28T10:01:00.250Z') + 0.5, detectMs: 0.1, stopAppsMs: 1, teardownMs: 1, sandboxMs: 1, networkMs: 1, appsMs: 1, totalMs: 5, wiredAt: Date.parse('2026-11-28T10:01:00.300Z'), appsStartedAt: Date.parse('2026-11-28T10:01:00.400Z') };
  r.lastRecovery = timeline;
  r.building = { pid: 9, startTime: '100', netns: 'net:[1]', hostVeth: 'mpx' };
  r.initContainers = [{ ...r.containers[0]!, name: 'init', startTime: '200' }];
  const before = JSON.stringify(r);
  const shown = recordWithRfc3339(r, BOOT) as PodRecord & { lastRecovery: Record<string, unknown> };
  t.is(JSON.stringify(r), before, 'the record is not changed');
  t.is(shown.sandbox!.startTime, '2026-11-28T10:00:56.780Z');
  t.is(shown.building!.startTime, '2026-11-28T10:00:01.000Z');
  t.is(shown.initContainers![0]!.startTime, '2026-11-28T10:00:02.000Z');
  t.like(shown.lastRecovery, { detectedAt: '2026-11-28T10:01:00.250Z', wiredAt: '2026-11-28T10:01:00.300Z', appsStartedAt: '2026-11-28T10:01:00.400Z', totalMs: 5 });
  // Every string that names a time (…At, …Time, …Timestamp, since) is RFC 3339 or null.
  const times: [string, unknown][] = [];
  const walk = (v: unknown, key = ''): void => {
    if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    else if (/(At|Time|Timestamp|^since)$/.test(key)) times.push([key, v]);
  };
  walk(shown);
  t.true(times.length >= 8, `${times.length} time fields`);
  for (const [key, v] of times) t.true(v === null || (typeof v === 'string' && RFC3339.test(v)), `${key}: ${String(v)}`);
});

test('the events table: LAST SEEN is an age, the rest as before', (t) => {
  t.is(EVENTS_HEAD, 'LAST SEEN  TYPE     REASON            OBJECT                MESSAGE');
  const e = { time: '2026-11-28T10:00:00.000Z', pod: 'web', podUid: 'u', type: 'Normal' as const, reason: 'ContainerStarted', message: 'started', container: 'httpd' };
  t.is(formatEvent(e, Date.parse('2026-11-28T10:03:30Z')), '3m30s      Normal   ContainerStarted  web/httpd             started');
  t.is(formatEvent({ ...e, container: undefined }, Date.parse('2026-11-28T12:00:00Z')), '120m       Normal   ContainerStarted  web                   started');
});
