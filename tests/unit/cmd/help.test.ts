// Help text wraps on word boundaries at $COLUMNS (yargs' ESM build cut words: "deploym ent").
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { ROOT } from '../../helpers/node.js';

const CLI = path.join(ROOT, 'bin/minipod.js');
const help = async (columns: number, ...args: string[]) => (await execa(process.execPath, [CLI, ...args, '--help'], { env: { COLUMNS: String(columns) } })).stdout;
const words = (text: string) => text.split(/\s+/).filter(Boolean).sort();

for (const args of [[], ['get'], ['describe'], ['inspect'], ['node']]) {
  test(`minipod ${[...args, '--help'].join(' ')} fits 80 columns and breaks no word`, async (t) => {
    const [narrow, wide] = [await help(80, ...args), await help(110, ...args)];
    for (const line of narrow.split('\n')) t.true(line.length <= 80, line);
    // The same words at both widths: a word cut in two would be two other words at one of them.
    t.deepEqual(words(narrow), words(wide));
    t.notRegex(narrow, /deploym\s+ent|Deploym\s+ent/);
  });
}
