#!/usr/bin/env node
// Entry for `npx minipod` and the package bin: runs the CLI bundle that `npm run build` makes
// (scripts/bundle.js). CommonJS (bin/package.json), and what is typed most is answered without the
// ES module loader, the CLI or yargs: `--version` here, a listing (`ps`, `get pods`) by
// cmd/quick.ts. Any other line goes to the full CLI.
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') process.stdout.write(`${require('../package.json').version}\n`);
else if (!require('../dist/cli/quick.cjs').runQuick(args)) import('../dist/cli/minipod.js');
