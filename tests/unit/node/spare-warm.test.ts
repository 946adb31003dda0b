// A spare daemon's warm-up (lib/node/spare-warm.ts): it reads the node's records and /proc as a
// restart's boot would, changes nothing in the state directory (a record that fails its check, a
// file that is no record, a temp file a write left: all kept as they are), and stops at the next
// record once the spare has its line.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { warmBoot } from '../../../lib/node/spare-warm.js';
import { validRecord } from '../../helpers/record.js';

/** A state directory with a valid record, a forged one, one that is not JSON and a write's temp file. */
async function stateDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-warm-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pods = path.join(dir, 'pods');
  await mkdir(pods);
  await writeFile(path.join(pods, 'web.json'), JSON.stringify(validRecord(dir, 'web'), null, 2));
  await writeFile(path.join(pods, 'forged.json'), JSON.stringify({ ...validRecord(dir, 'forged'), name: 'other' }));
  await writeFile(path.join(pods, 'torn.json'), '{"name": "torn", ');
  await writeFile(path.join(pods, 'web.json.12345'), '{}');
  return dir;
}

/** Every file under dir: its name, mode, times and a digest of its text. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const file = path.join(dir, entry);
    const st = await stat(file);
    const text = st.isFile() ? createHash('sha256').update(await readFile(file)).digest('hex') : 'dir';
    out.push(`${entry} ${st.mode} ${st.mtimeMs} ${st.ctimeMs} ${text}`);
  }
  return out.sort();
}

test('it reads every record and /proc, and leaves the state directory exactly as it was', async (t) => {
  const dir = await stateDir(t);
  const before = await snapshot(dir);
  let asked = 0;
  await warmBoot(dir, () => (asked++, false), 2);
  t.is(asked, 2 * (3 + 1), 'asked before each of the 3 records and each pass over /proc, twice');
  t.deepEqual(await snapshot(dir), before);
});

test('it stops at the next record once the spare has its line', async (t) => {
  const dir = await stateDir(t);
  let asked = 0;
  await warmBoot(dir, () => ++asked > 1);
  t.is(asked, 2, 'one record read, then stopped');
});

test('a state directory with no records yet is no error', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-warm-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await t.notThrowsAsync(warmBoot(dir, () => false));
});
