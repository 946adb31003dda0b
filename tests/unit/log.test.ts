// lib/log.ts: a pod's lines carry its name and uid first, as the pino child they replace did, at
// every level the daemon writes, and a field named err still goes through pino's serializer.
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { execa } from 'execa';
import { forAPerson } from '../../lib/log.js';

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

test('a command other than the daemon says a warning as one line on stderr, for a person: level, message, then its fields', async (t) => {
  const script = `globalThis.minipodLogForPeople = true;
const { log } = await import(${JSON.stringify(LOG)});
log.info('not at warn');
log.warn({ daemon: 4242 }, 'the node holder is gone');`;
  const r = await execa(process.execPath, ['--input-type=module', '-'], { input: script, env: { MINIPOD_LOG_LEVEL: '' } });
  t.is(r.stdout, '');
  t.is(r.stderr, 'minipod: warning: the node holder is gone (daemon 4242)');
  t.is(forAPerson('{"level":40,"daemon":4242,"msg":"the node holder is gone: starting a new one"}\n'), 'minipod: warning: the node holder is gone: starting a new one (daemon 4242)\n');
  t.is(forAPerson('{"level":50,"err":"EIO","msg":"could not remove it"}\n'), 'minipod: error: could not remove it (err EIO)\n');
  t.is(forAPerson('{"level":30,"msg":"done"}\n'), 'minipod: note: done\n');
});

test("the node commands' pino (lib/log-for-people.ts) says for a person what pino says, at the levels asked", async (t) => {
  const { pino: real } = await import('pino');
  const { pino: forPeople } = await import('../../lib/log-for-people.js');
  const said = (make: typeof forPeople, level: string) => {
    const out: string[] = [];
    const log = make({ level }, { write: (line: string) => void out.push(forAPerson(line)) });
    log.info('started');
    log.warn({ daemon: 4242, spare: 'none' }, 'the node holder is gone');
    log.error({ err: 'EIO', left: [1, 2] }, 'could not remove it');
    log.debug({ at: 'debug' }, 'quiet');
    return out;
  };
  for (const level of ['warn', 'info', 'debug', 'silent']) {
    t.deepEqual(said(forPeople, level), said((o, s) => real({ ...o, base: null, timestamp: false }, s) as unknown as ReturnType<typeof forPeople>, level), level);
  }
  t.is(said(forPeople, 'warn').length, 2);
});
