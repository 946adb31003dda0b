// The event log is bounded: past MAX_EVENTS the oldest go first, so the daemon's memory does not
// grow with every pod that ever came and went.
import test from 'ava';
import { log } from '../../../lib/log.js';
import { EventLog, MAX_EVENTS } from '../../../lib/supervisor/events.js';

test('the event log keeps the last MAX_EVENTS events, oldest dropped first', (t) => {
  log.level = 'silent'; // each event is logged too
  const events = new EventLog();
  const pod = { name: 'p', uid: 'u' };
  for (let i = 0; i < MAX_EVENTS + 25; i++) events.record(pod, 'Started', `event ${i}`);
  t.is(events.size, MAX_EVENTS);
  const all = events.list();
  t.is(all.length, MAX_EVENTS);
  t.is(all[0]!.message, 'event 25');
  t.is(all.at(-1)!.message, `event ${MAX_EVENTS + 24}`);
});
