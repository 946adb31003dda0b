// Detection only: a holder we spawned is our child, so its death reaches us as an 'exit' event
// within a millisecond; one we re-adopted reports it through the pidfd watcher just as fast.
// What to do about it is decided elsewhere (ctx.onSandboxLost).
import { onExit, type Watchable } from '../process/exit.js';
import type { LivePod, PodContext } from './live.js';

export function watchHolder(ctx: PodContext, live: LivePod, proc: Watchable): void {
  onExit(proc, (code, signal) => {
    if (live.holder !== proc) return; // torn down on purpose
    live.holder = null;
    const cause = `pause ${proc.pid} ${signal ? `killed by ${signal}` : code === null ? 'exited' : `exited with code ${code}`}`;
    ctx.events.record(live.record, 'SandboxDied', `${cause}; it held ${live.record.sandbox?.netns}`, { type: 'Warning' });
    ctx.onSandboxLost(live, cause);
  });
}
