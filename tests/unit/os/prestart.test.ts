// lib/os/prestart.ts: the helpers a spare daemon starts while it waits are taken over only under the
// argv their user would spawn, once each; they follow the launcher's nice value, and those not
// taken end once dropped. Real processes (a script that reads its stdin to the end), no root.
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { IP_BATCH_ARGV, NFT_FILE_ARGV, dropStarted, prestartHelpers, reniceStarted, takeStarted, takeStartedCommand } from '../../../lib/os/prestart.js';
import type { Tools } from '../../../lib/os/types.js';
import { waitUntil } from '../../../lib/util/wait.js';

/** Our children still running the helper script (a zombie is not running). */
async function helpersRunning(helper: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const [state, ppid] = stat.split(') ')[1]?.split(' ') ?? [];
    if (Number(ppid) !== process.pid || state === 'Z') continue;
    if ((await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).includes(helper)) out.push(Number(entry));
  }
  return out;
}

const niceOf = async (pid: number) => Number((await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[16]);
const gone = (pid: number) => waitUntil(async () => !(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).match(/\) [^Z]/), { timeoutMs: 3000, everyMs: 10 });

test('a started helper is taken once, under its argv; the command gets its input; the rest are reniced, then end when dropped', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-prestart-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const helper = path.join(dir, 'helper');
  await writeFile(helper, '#!/bin/sh\ncat > "$0.in.$$"\n'); // its command line names it until it ends
  await chmod(helper, 0o755);
  prestartHelpers({ ip: helper, pidwatch: helper, nft: helper } as Tools);

  t.is(takeStarted([helper, 'other']), undefined, 'another argv: spawned anew by its user');
  const ip = takeStarted(IP_BATCH_ARGV(helper));
  t.truthy(ip?.pid);
  t.is(takeStarted(IP_BATCH_ARGV(helper)), undefined, 'taken once');
  const nft = takeStartedCommand(NFT_FILE_ARGV(helper))!;
  nft.stdin!.end('table ip t {}\n');
  await new Promise((resolve) => nft.once('exit', resolve));
  t.is(await readFile(`${helper}.in.${nft.pid}`, 'utf8'), 'table ip t {}\n', 'the command read its input to the end and exited');

  const pidwatch = takeStarted([helper]); // the pidwatch argv, taken back below to check on it
  t.truthy(pidwatch?.pid);
  t.is(await niceOf(pidwatch!.pid!), os.getPriority());
  prestartHelpers({ ip: helper, pidwatch: helper } as Tools);
  reniceStarted(19);
  const again = takeStarted(IP_BATCH_ARGV(helper))!;
  t.is(await niceOf(again.pid!), 19, 'at the nice value given');
  prestartHelpers({ ip: helper, pidwatch: helper } as Tools);
  const left = takeStarted([helper]);
  t.truthy(left?.pid);
  prestartHelpers({ ip: helper, pidwatch: helper } as Tools);
  dropStarted();
  t.is(takeStarted(IP_BATCH_ARGV(helper)), undefined, 'dropped: nothing to take');
  for (const p of [ip!, pidwatch!, again, left!]) p.stdin!.end();
  for (const p of [ip!, pidwatch!, again, left!]) t.truthy(await gone(p.pid!), 'a closed stdin ends each');
  // Those replaced by a second start and those dropped end too: no helper of ours is left.
  t.truthy(await waitUntil(async () => (await helpersRunning(helper)).length === 0 || undefined, { timeoutMs: 3000, everyMs: 20 }), 'every started helper ended');
});
