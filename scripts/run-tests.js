#!/usr/bin/env node
// `npm test`: every ava suite (unit and integration), then one line `N passed, N failed, N skipped`.
// Fails when any test failed or was skipped: CI runs as root, so nothing may be skipped.
import { spawn } from 'node:child_process';

if (process.getuid?.() !== 0) {
  console.error('npm test: the integration suites need root (namespaces, veths, bridges): run `sudo npm test`');
  process.exit(1);
}

const ava = spawn(process.execPath, ['node_modules/ava/entrypoints/cli.mjs', '--tap', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
let tap = '';
ava.stdout.on('data', (d) => {
  tap += d;
  process.stdout.write(d);
});
ava.on('close', (code) => {
  const count = (re) => (tap.match(re) ?? []).length;
  const skipped = count(/^ok \d+ .*# SKIP/gm) + count(/^(?:not )?ok \d+ .*# TODO/gm);
  // ava exiting non-zero with no failed test means it aborted (a timeout, a crashed worker or
  // reporter): that is a failure too, never a green line.
  const failed = count(/^not ok \d+/gm) || (code !== 0 ? 1 : 0);
  if (code !== 0 && !count(/^not ok \d+/gm)) console.error(`ava exited with code ${code} without reporting a failed test: counted as 1 failure`);
  const passed = count(/^ok \d+/gm) - count(/^ok \d+ .*# SKIP/gm) - count(/^ok \d+ .*# TODO/gm);
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code !== 0 || failed > 0 || skipped > 0 || passed === 0 ? 1 : 0);
});
