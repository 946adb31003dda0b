// The holder register (state/holders/PID: "NETNS STARTTIME"): taken over only for entries that
// parse and name a live process by pid and start time; anything else is removed and reported.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { startTimeOf } from '../../../lib/process/identity.js';
import { readNamespace } from '../../../lib/process/namespace.js';
import { HolderPool } from '../../../lib/sandbox/pool.js';

test('takeLeftovers trusts only well-formed entries of the very process, and empties the register', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-pool-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const holders = path.join(dir, 'holders');
  await mkdir(holders);
  const netns = (await readNamespace(process.pid))!;
  const startTime = (await startTimeOf(process.pid))!;
  // This process stands in for a live holder: the one entry to be taken over.
  await writeFile(path.join(holders, String(process.pid)), `${netns} ${startTime}\n`);
  await writeFile(path.join(holders, '1'), `${netns} 1\n`); // pid 1, not started then: another process
  await writeFile(path.join(holders, '2'), `${netns} ${startTime}; rm -rf /\n`);
  await writeFile(path.join(holders, '3'), '');
  await writeFile(path.join(holders, 'holder'), `${netns} ${startTime}\n`);

  const { netnses, rejected } = await new HolderPool(dir, false).takeLeftovers();
  t.deepEqual(netnses, [netns]);
  t.deepEqual(rejected.sort(), [
    `holders/2: ${JSON.stringify(`${netns} ${startTime}; rm -rf /\n`)} is not "NETNS STARTTIME"`,
    'holders/3: "" is not "NETNS STARTTIME"',
    'holders/holder: the name is not a pid',
  ]);
  t.deepEqual(await readdir(holders), []);
});
