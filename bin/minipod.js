#!/usr/bin/env node
// Entry for `npx minipod` and the package bin: runs the CLI bundle that `npm run build` makes
// (scripts/bundle.js). CommonJS (bin/package.json), and what needs no more is answered without
// the ES module loader, the CLI or yargs: `--version` here, a listing (`ps`, `get pods`) by
// cmd/quick.ts, a node's daemon by cmd/daemon-main.ts and `node start|stop|restart|env` by
// cmd/node-main.ts (each with its code cache). Any other line goes to the full CLI.
'use strict';

const args = process.argv.slice(2);
// A person reads what any command but the daemon logs (lib/log.ts): one line on stderr, not JSON.
if (args[0] !== 'daemon') globalThis.minipodLogForPeople = true;
// The bundles' lines, told apart before one loads: `node exec`, a cluster's `--node` and the rest
// a bundle would decline go to the full CLI without loading it first.
const bundle = args[0] === 'daemon' ? ['daemon.cjs', 'runDaemonLine']
  : args[0] === 'node' && ['start', 'stop', 'restart', 'env'].includes(args[1]) ? ['node.cjs', 'runNodeLine']
    : undefined;
// A node's spare daemon notes which text of bin/ it runs, before it runs more: it declines a line
// once they changed on disk (lib/node/spare-daemon.ts). Its bundle is noted as it is loaded.
if (args[0] === 'daemon' && args[1] === '--spare') {
  const { fileStamp } = require('./require-cached.js');
  globalThis.minipodLoaded = { [__filename]: fileStamp(__filename), [require.resolve('./require-cached.js')]: fileStamp(require.resolve('./require-cached.js')) };
}
const taken = () => (bundle
  ? require('./require-cached.js').requireCached(require.resolve(`../dist/cli/${bundle[0]}`))[bundle[1]](args)
  : require('../dist/cli/quick.cjs').runQuick(args));
if (args.length === 1 && args[0] === '--version') process.stdout.write(`${require('../package.json').version}\n`);
else if (!taken()) import('../dist/cli/minipod.js');
