// Progress on the waits that take seconds (issue 12, CLI point 8): on a real terminal (tmux),
// `run` says which containers it waits for and `rm -f` that it waits out the grace period, with a
// spinner on stderr; with stdout piped (the terminal still on stderr) or both piped, not a byte of
// it. Everything the pane is sent is recorded (tmux pipe-pane), so a spinner line that was cleared
// afterwards is still seen. The pane has CI=true, as a CI runner's environment has: the spinner must
// still be a spinner there (ora alone would print its text as a line that is never cleared).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { waitUntil } from '../../lib/util/wait.js';
import { assertNodeEmpty, CLI, startTestNode, type TestNode } from '../helpers/node.js';

let node: TestNode;
const TMUX = path.join(tmpdir(), `minipod-progress-tmux-${process.pid}.sock`);
const LOG = path.join(tmpdir(), `minipod-progress-pane-${process.pid}.log`);
const tmux = (...args: string[]) => execa('tmux', ['-S', TMUX, ...args], { timeout: 10_000 });
const pane = async () => readFile(LOG, 'utf8').catch(() => '');

// Listens on its declared port only after 2 s, so `run` waits for it; ignores SIGTERM, so `rm -f` waits out the 2 s grace.
const SLOW = `process.on('SIGTERM', () => {}); setTimeout(() => require('net').createServer().listen(8080), 2000)`;
const slowPod = (name: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'app', command: [process.execPath, '-e', SLOW], ports: [{ containerPort: 8080 }] }] } });

test.before(async () => {
  node = await startTestNode();
  await tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'p', '-x', '150', '-y', '30', '-e', `MINIPOD_SOCKET=${node.socket}`, '-e', 'CI=true', 'sh');
  await tmux('set-option', '-t', 'p', 'status', 'off');
  await tmux('pipe-pane', '-t', 'p', '-o', `cat >> ${LOG}`);
});
test.after.always(async () => {
  await execa('tmux', ['-S', TMUX, 'kill-server'], { reject: false });
  await rm(TMUX, { force: true });
  await rm(LOG, { force: true });
  for (const name of ['tty', 'half']) await rm(path.join(tmpdir(), `minipod-progress-${process.pid}-${name}.json`), { force: true });
  await node?.cli(['rm', '-f', 'tty', 'piped', 'half']);
  await node?.dispose();
});

/** The manifest as a file: the pane's shell quotes nothing of it. */
async function manifest(name: string): Promise<string> {
  const file = path.join(tmpdir(), `minipod-progress-${process.pid}-${name}.json`);
  await writeFile(file, slowPod(name));
  return file;
}

/** Type a command line in the pane and wait for its `DONE=<exit code>` line. */
async function typed(line: string, mark: string): Promise<string> {
  await tmux('send-keys', '-t', 'p', `${line}; echo ${mark}=$?`, 'Enter');
  const done = await waitUntil(async () => new RegExp(`${mark}=\\d+`).test(await pane()), { timeoutMs: 30_000, everyMs: 100 });
  if (!done) throw new Error(`${line} never ended: ${await pane()}`);
  return pane();
}

test.serial('on a terminal: run says which container it waits for, rm -f that it waits out the grace period; the spinner line is cleared', async (t) => {
  const out = await typed(`${process.execPath} ${CLI} run -f ${await manifest('tty')}`, 'RUN');
  t.regex(out, /pod\/tty: waiting for app to be ready/);
  t.regex(out, /pod\/tty Running 10\.\d+\.\d+\.\d+/);
  t.regex(out, /RUN=0/);
  const removed = await typed(`${process.execPath} ${CLI} rm -f tty`, 'RM');
  t.regex(removed, /pod\/tty: stopping app \(SIGTERM, then SIGKILL after the grace period of 2s\)/);
  t.regex(removed, /RM=0/);
  const screen = (await tmux('capture-pane', '-p', '-t', 'p')).stdout;
  t.notRegex(screen, /waiting for|grace period/, 'the spinner cleared its line');
});

test.serial('stdout piped (stderr still the terminal): no spinner at all', async (t) => {
  const before = (await pane()).length;
  await typed(`${process.execPath} ${CLI} run -f ${await manifest('half')} | cat; ${process.execPath} ${CLI} rm -f half | cat`, 'HALF');
  const out = (await pane()).slice(before);
  t.regex(out, /pod\/half Running/);
  t.notRegex(out, /waiting for|grace period|\u001b\[\?25l/, 'no spinner text, no hidden cursor');
});

test.serial('both piped: stdout is exactly the result, stderr empty', async (t) => {
  const run = await node.cli(['run', '-f', '-'], slowPod('piped'));
  t.is(run.exitCode, 0, run.stderr);
  t.regex(run.stdout, /^pod\/piped Running 10\.\d+\.\d+\.\d+\n$/);
  t.is(run.stderr, '');
  const removed = await node.cli(['rm', '-f', 'piped']);
  t.is(removed.stdout, 'piped\n');
  t.is(removed.stderr, '');
});

test.serial('the node is empty afterwards', async (t) => {
  await assertNodeEmpty(t, node);
});
