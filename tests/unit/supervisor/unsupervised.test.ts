// The supervisor switched off: a death is recorded and persisted, nothing restarts or rebuilds.
import test from 'ava';
import { newLivePod, type PodContext } from '../../../lib/pod/live.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { Unsupervised } from '../../../lib/supervisor/unsupervised.js';
import { validRecord } from '../../helpers/record.js';

function fakeCtx(persisted: PodRecord['phase'][]): PodContext {
  return { store: { persist: async (r: PodRecord) => void persisted.push(r.phase) } } as unknown as PodContext;
}

test('a lost sandbox leaves the pod SandboxLost, persisted, with no retry armed', (t) => {
  const persisted: PodRecord['phase'][] = [];
  const live = newLivePod(validRecord('/state'));
  new Unsupervised(fakeCtx(persisted)).sandboxLost(live, 'pause 1234 killed by SIGKILL');
  t.is(live.record.phase, 'SandboxLost');
  t.is(live.record.message, 'pause 1234 killed by SIGKILL');
  t.is(live.record.conditions[0]!.type, 'SandboxLost');
  t.deepEqual(persisted, ['SandboxLost']);
  t.is(live.sandboxRetry, undefined);
});

test('an exited app is persisted, never restarted; a stopping pod is left alone', (t) => {
  const persisted: PodRecord['phase'][] = [];
  const off = new Unsupervised(fakeCtx(persisted));
  const live = newLivePod(validRecord('/state'));
  off.containerExited(live);
  off.resumeBackoff();
  t.is(live.restartTimers.size, 0);
  t.deepEqual(persisted, ['Running']);
  live.terminating = true;
  off.sandboxLost(live, 'gone');
  t.is(live.record.phase, 'Running');
  t.deepEqual(persisted, ['Running']);
});
