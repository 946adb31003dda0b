// The handoff between a going daemon and the one replacing it (lib/store/handoff.ts): the record
// digests are taken only from a well-formed vouch of this very build; anything else is ignored,
// and every record is then checked whole.
import test from 'ava';
import { digestText, vouchedRecords } from '../../../lib/store/handoff.js';

const BUILD = '65024:123 4567 1795948536749322768 1795948536749322768';
const D = digestText('{"name":"web"}\n');

test('the digest of a text is its SHA-256, hex', (t) => {
  t.is(digestText(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.regex(D, /^[0-9a-f]{64}$/);
});

test('a vouch of this build gives its record digests', (t) => {
  const vouched = vouchedRecords(JSON.stringify({ build: BUILD, records: { web: D, db: D } }), BUILD);
  t.deepEqual(vouched && [...vouched], [['web', D], ['db', D]]);
});

test('a vouch of another build, or by a daemon that has no build, is ignored', (t) => {
  t.is(vouchedRecords(JSON.stringify({ build: `${BUILD}1`, records: { web: D } }), BUILD), undefined);
  t.is(vouchedRecords(JSON.stringify({ build: BUILD, records: { web: D } }), undefined), undefined);
});

test('no vouch, or a malformed one, is ignored', (t) => {
  for (const text of [undefined, '', 'not json', 'null', '[]', JSON.stringify({ build: BUILD }), JSON.stringify({ build: BUILD, records: { web: 'abc' } }), JSON.stringify({ build: BUILD, records: { web: D.toUpperCase() } }), JSON.stringify({ build: BUILD, records: { web: 1 } })]) {
    t.is(vouchedRecords(text, BUILD), undefined, String(text));
  }
});
