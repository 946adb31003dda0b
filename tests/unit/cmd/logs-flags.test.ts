// `logs` flags as the daemon's query takes them (the refusals are usage errors, exit 2: checked
// in tests/integration/logs.test.ts).
import test from 'ava';
import { logsQuery } from '../../../cmd/commands/logs.js';

const flags = { 'all-containers': false, follow: false, previous: false, timestamps: false, prefix: false, tail: '-1' };

test('--since becomes the time that long before now; --since-time passes as given', (t) => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  t.is(logsQuery({ ...flags, since: '1h30m' }, now).sinceTime, '2026-01-01T10:30:00.000Z');
  t.is(logsQuery({ ...flags, 'since-time': '2026-01-01T11:00:00+01:00' }, now).sinceTime, '2026-01-01T11:00:00+01:00');
  t.deepEqual(logsQuery({ ...flags, follow: true, tail: '10' }, now), { follow: 'true', previous: 'false', timestamps: 'false', prefix: 'false', tail: '10' });
});
