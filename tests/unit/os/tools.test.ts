// Where system programs are looked for: never in npm's bin directories, which `npm test` and `npx`
// put first in PATH and where a package may install a command named like a system one
// (@vercel/nft's `nft`).
import test from 'ava';
import { systemPath } from '../../../lib/os/tools.js';

test('npm\'s bin directories are left out of the search path, everything else kept in order', (t) => {
  t.is(systemPath('/work/minipod/node_modules/.bin:/work/node_modules/.bin:/usr/local/bin:/usr/bin::/sbin'), '/usr/local/bin:/usr/bin:/sbin');
  t.is(systemPath('/opt/node_modules_tools/bin:/usr/bin'), '/opt/node_modules_tools/bin:/usr/bin', 'only a directory named node_modules counts');
});
