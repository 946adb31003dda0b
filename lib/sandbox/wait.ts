// nsenter joins the namespaces a moment after it is spawned; wait for that so what we report
// (and what a test checks) is the app inside the sandbox, not the nsenter still outside it.
import { setTimeout as sleep } from 'node:timers/promises';
import { readNamespace } from '../process/namespace.js';

export async function waitForNamespace(pid: number, ns: string, kind: 'net' | 'ipc' = 'net', timeoutMs = 2000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const current = await readNamespace(pid, kind);
    if (current === ns) return true;
    if (current === undefined || performance.now() > deadline) return false;
    await sleep(1);
  }
}
