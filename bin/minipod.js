#!/usr/bin/env node
// Entry for `npx minipod` and the package bin: runs the CLI bundle that `npm run build` makes
// (scripts/bundle.js). CommonJS (bin/package.json), and `--version` alone is answered here: that
// much starts as fast as Node itself, without the ES module loader, the CLI or yargs.
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') process.stdout.write(`${require('../package.json').version}\n`);
else import('../dist/cli/minipod.js');
