// Named failpoints for fault-injection tests: `failpoint('create/veth')` throws when that name is
// armed, so a test can fail any step of create, recreate or remove and check the rollback.
// Armed from MINIPOD_FAILPOINTS=name,name at daemon start, or at run time through the debug API
// (only when the daemon runs with MINIPOD_DEBUG_API=1). Disarmed, a failpoint costs a Set lookup.
import { MinipodError } from './errors.js';

const armed = new Set((process.env.MINIPOD_FAILPOINTS ?? '').split(',').filter(Boolean));

export function failpoint(name: string): void {
  if (armed.size && armed.has(name)) throw new MinipodError('INTERNAL', `failpoint ${name} fired`);
}

export function armFailpoints(names: string[]): void {
  armed.clear();
  for (const n of names) armed.add(n);
}

export function armedFailpoints(): string[] {
  return [...armed];
}
