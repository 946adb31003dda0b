// Named failpoints for fault-injection tests: `failpoint('create/veth')` throws when that name is
// armed, so a test can fail any step of create, recreate or remove and check the rollback. Armed
// as `NAME:kill`, it SIGKILLs the daemon there instead: a crash between two steps, with no rollback
// at all, for what the next daemon start (and `gc --fix`) must clear.
// Armed from MINIPOD_FAILPOINTS=name,name at daemon start, or at run time through the debug API
// (only when the daemon runs with MINIPOD_DEBUG_API=1). Disarmed, a failpoint costs a Set lookup.
import { MinipodError } from './errors.js';
import { kill } from './os/host.js';

const KILL = ':kill';
const armed = new Set<string>();
armFailpoints((process.env.MINIPOD_FAILPOINTS ?? '').split(',').filter(Boolean));

export function failpoint(name: string): void {
  if (!armed.size) return;
  if (armed.has(`${name}${KILL}`)) kill(process.pid, 'SIGKILL');
  if (armed.has(name)) throw new MinipodError('INTERNAL', `failpoint ${name} fired`);
}

export function armFailpoints(names: string[]): void {
  armed.clear();
  for (const n of names) armed.add(n);
}

export function armedFailpoints(): string[] {
  return [...armed];
}
