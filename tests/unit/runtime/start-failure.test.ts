// A command the OCI runtime could not start: 127 (not found) or 126 (not executable), told from
// the runtime's JSON log, runc's and crun's words alike; a command's own exit says nothing there.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { startFailure } from '../../../lib/runtime/start-failure.js';
import { tempDir } from '../../helpers/temp.js';

test('runc and crun failures to start: 127 not found, 126 not executable; no log or another error: none', async (t) => {
  const dir = await tempDir(t, 'minipod-start-failure-');
  const log = async (name: string, ...lines: object[]) => {
    const file = path.join(dir, name);
    await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    return file;
  };
  t.is(await startFailure(await log('a', { level: 'error', msg: 'exec failed: unable to start container process: exec: "nosuchbin": executable file not found in $PATH' })), 127);
  t.is(await startFailure(await log('b', { level: 'error', msg: 'exec failed: unable to start container process: exec: "/etc/passwd": permission denied' })), 126);
  t.is(await startFailure(await log('c', { level: 'error', msg: 'executable file `nosuchbin` not found in $PATH: No such file or directory' })), 127);
  t.is(await startFailure(await log('d', { level: 'warning', msg: 'not found' }, { level: 'error', msg: 'container is paused' })), undefined);
  t.is(await startFailure(path.join(dir, 'none')), undefined, 'no log: the command\'s own exit');
  t.is(await startFailure(await log('e')), undefined);
});
