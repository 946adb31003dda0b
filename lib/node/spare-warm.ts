// What a node's spare daemon does once it waits (spare-daemon.ts), at nice 19: the busiest code of a
// restart's boot, run over the node's own records and /proc and only reading (nothing is written,
// signalled or spawned), so that the daemon it becomes runs that code compiled and warm. V8
// compiles a function at its first call and optimizes those that run often: a restart's daemon of
// 50 pods spent about 12 of its 54 ms of CPU, from its line to "ready", on code run cold (paired
// restarts with and without, issue 13).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { log } from '../log.js';
import { isSameProcessIn } from '../process/namespace.js';
import { ProcessScan } from '../process/sweep.js';
import { observeRestore } from '../pod/restore.js';
import { digestText } from '../store/handoff.js';
import { POD_RECORDS_DIR } from '../store/quarantine.js';
import { checkRecord } from '../store/record-check.js';

/** Passes over the records and /proc: enough for V8 to optimize what a boot runs once per pod. */
export const WARM_ROUNDS = 5;

/**
 * Read and check every record in stateDir, observe each pod's processes as a restore would, and take
 * a pass over /proc, `rounds` times; stopped at the next record once `going()` (the spare has its
 * line: the daemon's own work comes first). A file that is not a record is passed over.
 */
export async function warmBoot(stateDir: string, going: () => boolean, rounds = WARM_ROUNDS): Promise<void> {
  const dir = path.join(stateDir, POD_RECORDS_DIR);
  for (let round = 0; round < rounds; round++) {
    let entries: string[];
    try {
      entries = readdirSync(dir).filter((e) => e.endsWith('.json'));
    } catch {
      return; // no records yet
    }
    for (const entry of entries) {
      if (going()) return;
      await warmRecord(stateDir, dir, entry).catch(() => {}); // removed meanwhile, or no record: nothing to learn
    }
    if (going()) return;
    await ProcessScan.take();
  }
}

/** As a restart's boot reads a record its predecessor vouched for (store/pod-store.ts), then observes its pod (pod/restore.ts). */
async function warmRecord(stateDir: string, dir: string, entry: string): Promise<void> {
  const text = readFileSync(path.join(dir, entry), 'utf8');
  digestText(text);
  const check = await checkRecord(JSON.parse(text), { stateDir, file: entry, shapeTrusted: true });
  const r = check.ok ? check.record : undefined;
  // Its veth taken as present: the plan a running pod gets (adopted), which a restart runs.
  if (r?.sandbox) await observeRestore(r, new Map([[r.bridge, new Set([r.sandbox.hostVeth])]]), isSameProcessIn);
}

/** warmBoot until the returned function is called (the spare has its line); how long it took is said at debug. */
export function startWarming(stateDir: string): () => void {
  let going = false;
  const began = performance.now();
  void warmBoot(stateDir, () => going)
    .then(() => {
      if (!going) collectGarbage();
      log.debug({ ms: Math.round(performance.now() - began), cut: going }, 'spare daemon warmed');
    })
    .catch(() => {});
  return () => void (going = true);
}

/**
 * A full collection, now, of what the warm-up left: else V8 collects it during the boot (a major
 * collection of 10-15 ms in some restarts of 50 pods, seen as the time from the pods to the
 * Deployments). V8's gc() is exposed by a flag set at run time, not on the command line
 * (daemon-heap.ts says why), and taken from a new context, as jest-leak-detector takes it.
 */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}
