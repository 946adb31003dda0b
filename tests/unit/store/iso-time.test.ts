// isoTime: zod's .datetime() check with its regex made once. Same answers as .datetime() on the
// times minipod writes and on what a forged or damaged record may hold.
import test from 'ava';
import { z } from 'zod';
import { isoTime } from '../../../lib/store/iso-time.js';

const values = [
  new Date(0).toISOString(), '2024-01-01T00:00:00.000Z', '2024-02-29T23:59:59Z', '2024-01-01T00:00Z', '2024-01-01T00:00:00.123456Z',
  '2023-02-29T00:00:00.000Z', '2024-13-01T00:00:00.000Z', '2024-01-01T24:00:00.000Z', '2024-01-01T00:00:00.000+01:00', '2024-01-01 00:00:00Z',
  '2024-01-01T00:00:00.000', '', 'yesterday', '2024-01-01T00:00:00.000Z\n',
];

test('accepts exactly what zod\'s .datetime() accepts, and says what the caller gives', (t) => {
  for (const v of values) t.is(isoTime().safeParse(v).success, z.string().datetime().safeParse(v).success, JSON.stringify(v));
  const failed = isoTime('must be an ISO time').safeParse('yesterday');
  t.false(failed.success);
  t.is(failed.error?.issues[0]?.message, 'must be an ISO time');
});
