// The controller's decisions: desired replicas and template against the pods it owns.
import test from 'ava';
import { planDeployment, type OwnedPod } from '../../../lib/deploy/plan.js';

const pod = (name: string, over: Partial<OwnedPod> = {}): OwnedPod => ({ name, hash: 'h1', phase: 'Running', ready: true, createdAt: `2026-01-01T00:00:0${name.at(-1)}Z`, ...over });

test('no pods: make them all', (t) => {
  t.deepEqual(planDeployment(2, 'h1', []), { remove: [], create: 2 });
});

test('as many as wanted: nothing to do; Pending and recovering pods count', (t) => {
  t.deepEqual(planDeployment(3, 'h1', [pod('a1'), pod('a2', { phase: 'Pending', ready: false }), pod('a3', { phase: 'Recreating', ready: false })]), { remove: [], create: 0 });
});

test('a stopped pod is removed and replaced; a terminating one is neither counted nor removed again', (t) => {
  t.deepEqual(planDeployment(2, 'h1', [pod('a1'), pod('a2', { phase: 'Stopped', ready: false }), pod('a3', { phase: 'Terminating' })]), { remove: ['a2'], create: 1 });
});

test('scale down removes not-ready pods first, then the newest', (t) => {
  const pods = [pod('a1'), pod('a2'), pod('a3', { ready: false }), pod('a4')];
  t.deepEqual(planDeployment(2, 'h1', pods), { remove: ['a4', 'a3'], create: 0 });
  t.deepEqual(planDeployment(0, 'h1', pods).remove.sort(), ['a1', 'a2', 'a3', 'a4']);
});

test('a changed template recreates: every old pod removed, the new ones made', (t) => {
  t.deepEqual(planDeployment(2, 'h2', [pod('a1'), pod('a2')]), { remove: ['a1', 'a2'], create: 2 });
  t.deepEqual(planDeployment(2, 'h2', [pod('a1'), pod('b2', { hash: 'h2' })]), { remove: ['a1'], create: 1 });
});
