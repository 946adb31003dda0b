// lib/log.ts: a pod's lines carry its name and uid first, as the pino child they replace did, at
// every level the daemon writes, and a field named err still goes through pino's serializer.
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { execa } from 'execa';

const LOG = fileURLToPath(new URL('../../lib/log.js', import.meta.url));

test("a pod's line: level, time, pid, then the pod's name and uid, then its own fields and message", async (t) => {
  const script = `const { podLogger } = await import(${JSON.stringify(LOG)});
const p = podLogger({ name: 'web', uid: 'u1' });
p.info({ reason: 'Restored' }, 'daemon restarted');
p.warn({}, 'careful');
p.error({ err: new Error('boom') }, 'restore failed');
p.debug({ phases: [1] }, 'not at info');`;
  const { stdout } = await execa(process.execPath, ['--input-type=module', '-'], { input: script, env: { MINIPOD_LOG_LEVEL: 'info' } });
  const lines = stdout.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(lines.map((l) => Object.keys(l)), [
    ['level', 'time', 'pid', 'pod', 'podUid', 'reason', 'msg'],
    ['level', 'time', 'pid', 'pod', 'podUid', 'msg'],
    ['level', 'time', 'pid', 'pod', 'podUid', 'err', 'msg'],
  ]);
  t.like(lines[0], { level: 30, pod: 'web', podUid: 'u1', reason: 'Restored', msg: 'daemon restarted' });
  t.like(lines[1], { level: 40, msg: 'careful' });
  t.like(lines[2], { level: 50, err: { type: 'Error', message: 'boom' } });
});
