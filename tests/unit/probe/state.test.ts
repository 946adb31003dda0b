// The probe worker's decisions (kubelet's thresholds, hold after a kill, the startup gate's
// "started"), on outcomes given by hand.
import test from 'ava';
import { decide, firstDelayMs, freshCounters } from '../../../lib/probe/state.js';

const probe = { successThreshold: 1, failureThreshold: 3 };

test('readiness: ready at the first success, not ready only after failureThreshold failures in a row', (t) => {
  const s = freshCounters();
  t.deepEqual(decide('readinessProbe', probe, s, true, false), { set: 'ready', value: true });
  t.deepEqual(decide('readinessProbe', probe, s, false, true), { set: 'none' });
  t.deepEqual(decide('readinessProbe', probe, s, false, true), { set: 'none' });
  t.deepEqual(decide('readinessProbe', probe, s, true, true), { set: 'none' }, 'a success resets the failures');
  for (let i = 0; i < 2; i++) t.deepEqual(decide('readinessProbe', probe, s, false, true), { set: 'none' });
  t.deepEqual(decide('readinessProbe', probe, s, false, true), { set: 'ready', value: false });
  t.false(s.onHold, 'readiness keeps probing');
});

test('readiness with successThreshold 2 needs two successes in a row', (t) => {
  const s = freshCounters();
  const p = { successThreshold: 2, failureThreshold: 1 };
  t.deepEqual(decide('readinessProbe', p, s, true, false), { set: 'none' });
  t.deepEqual(decide('readinessProbe', p, s, false, false), { set: 'none' }, 'already not ready');
  t.deepEqual(decide('readinessProbe', p, s, true, false), { set: 'none' });
  t.deepEqual(decide('readinessProbe', p, s, true, false), { set: 'ready', value: true });
});

test('a restored container keeps its recorded readiness until the probe says otherwise', (t) => {
  const s = freshCounters();
  t.deepEqual(decide('readinessProbe', probe, s, true, true), { set: 'none' });
});

test('liveness: a kill after failureThreshold failures in a row, then on hold', (t) => {
  const s = freshCounters();
  t.deepEqual(decide('livenessProbe', probe, s, false), { set: 'none' });
  t.deepEqual(decide('livenessProbe', probe, s, false), { set: 'none' });
  t.deepEqual(decide('livenessProbe', probe, s, false), { set: 'kill' });
  t.true(s.onHold);
  t.deepEqual(decide('livenessProbe', probe, s, false), { set: 'none' }, 'no second kill for the same run');
});

test('liveness: successes never act', (t) => {
  const s = freshCounters();
  for (let i = 0; i < 5; i++) t.deepEqual(decide('livenessProbe', probe, s, i % 3 !== 2), { set: 'none' });
});

test('startup: started at its first success and then done; failing for good is a kill', (t) => {
  const s = freshCounters();
  t.deepEqual(decide('startupProbe', probe, s, false), { set: 'none' });
  t.deepEqual(decide('startupProbe', probe, s, true), { set: 'started' });
  t.true(s.onHold, 'a startup probe that passed is not run again in this run');
  const f = freshCounters();
  const p = { successThreshold: 1, failureThreshold: 2 };
  t.deepEqual(decide('startupProbe', p, f, false), { set: 'none' });
  t.deepEqual(decide('startupProbe', p, f, false), { set: 'kill' });
});

test('the first probe is due initialDelaySeconds after the container started', (t) => {
  const now = Date.parse('2026-01-01T00:00:10Z');
  t.is(firstDelayMs({ initialDelaySeconds: 5 }, '2026-01-01T00:00:08Z', now), 3000);
  t.is(firstDelayMs({ initialDelaySeconds: 5 }, '2026-01-01T00:00:00Z', now), 0, 'long past (a restored container)');
  t.is(firstDelayMs({ initialDelaySeconds: 2 }, null, now), 2000);
});
