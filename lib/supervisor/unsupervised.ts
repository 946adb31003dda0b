// The supervisor switched off: deaths are recorded, nothing is restarted or rebuilt. What a front
// end that decides for itself (a CRI server, where kubelet restarts and recreates) runs with:
// it sees a SandboxLost pod or a Terminated container and calls stop, remove or create.
import type { LivePod, PodContext } from '../pod/live.js';
import { setPhase } from '../pod/state.js';
import type { Supervision } from '../pod/supervision.js';

export class Unsupervised implements Supervision {
  constructor(private readonly ctx: PodContext) {}

  sandboxLost(live: LivePod, cause: string): void {
    const r = live.record;
    if (live.terminating || r.phase !== 'Running') return;
    setPhase(r, 'SandboxLost');
    r.message = cause;
    r.conditions = [{ type: 'SandboxLost', message: cause, since: new Date().toISOString() }];
    void this.ctx.store.persist(r);
  }

  containerExited(live: LivePod): void {
    if (!live.terminating) void this.ctx.store.persist(live.record); // the exit, on disk
  }

  /** It waits, recorded; the front end starts it again once it has imported the image. */
  imageMissing(live: LivePod): void {
    if (!live.terminating) void this.ctx.store.persist(live.record);
  }

  settleExits(live: LivePod): void {
    live.exitedWhileBusy.clear(); // their exits are in the record already
  }

  resumeBackoff(): void {}
  start(): void {}
  stop(): void {}
}
