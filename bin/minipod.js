#!/usr/bin/env node
// Entry for `npx minipod` and the package bin: runs the CLI bundle that `npm run build` makes
// (scripts/bundle.js). CommonJS (bin/package.json), and what needs no more is answered without
// the ES module loader, the CLI or yargs: `--version` here, a listing (`ps`, `get pods`) by
// cmd/quick.ts, a node's daemon and `node start|stop|restart|env` by cmd/node-main.ts (with its
// code cache). Any other line goes to the full CLI.
'use strict';

const args = process.argv.slice(2);
// The node bundle's lines, told apart before it loads: `node exec`, a cluster's `--node` and the rest
// it would decline go to the full CLI without loading it first.
const forNode = args[0] === 'daemon' || (args[0] === 'node' && ['start', 'stop', 'restart', 'env'].includes(args[1]));
const taken = () => (forNode
  ? require('./require-cached.js').requireCached(require.resolve('../dist/cli/node.cjs')).runNodeLine(args)
  : require('../dist/cli/quick.cjs').runQuick(args));
if (args.length === 1 && args[0] === '--version') process.stdout.write(`${require('../package.json').version}\n`);
else if (!taken()) import('../dist/cli/minipod.js');
