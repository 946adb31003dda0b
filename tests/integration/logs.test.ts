// `minipod logs` as kubectl's (issue 12, CLI 4): a container printing numbered lines that fails
// twice and then succeeds, restarted by its policy, checks that runs are kept apart (`logs` the
// last, `-p` the one before, the first one gone), --tail, --since, --since-time, --timestamps
// (the time the shim read each line, stored in CRI's format), -c and its default, --all-containers
// with --prefix, -f with --tail, an old raw log still read, image containers under runc and crun,
// and bad values refused naming the flag. Nothing is left behind.
import { appendFile, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, CLI, startTestNode, type TestNode } from '../helpers/node.js';
import { importImages } from '../helpers/seed.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;
let runs: string;

const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const lines = (text: string) => text.split('\n').filter(Boolean);
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

test.before(async () => {
  process.env.MINIPOD_BACKOFF_BASE_MS = '300'; // the daemon inherits it: quick restarts
  node = await startTestNode();
  runs = path.join(node.dir, 'logs-test-runs'); // the run counter, on the node's filesystem (no image)
  // Run N prints "run N line 1..5" and fails, but the third run, which prints line 1 on stderr and
  // waits before the others (so --since-time can fall between them, and stdout's and stderr's
  // pipes, read apart, cannot swap lines) and succeeds.
  const script = [
    `n=$(( $(cat ${runs} 2>/dev/null || echo 0) + 1 )); echo $n > ${runs}`,
    'i=1; while [ $i -le 5 ]; do if [ $n = 3 ] && [ $i = 1 ]; then echo "run $n line $i" >&2; sleep 1.2; else echo "run $n line $i"; fi',
    'i=$((i+1)); done',
    '[ $n -ge 3 ]',
  ].join('; ');
  const ticker = 'echo steady up; i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done';
  const r = await node.api.request('POST', '/pods', {
    metadata: { name: 'numbers' },
    spec: { restartPolicy: 'OnFailure', terminationGracePeriodSeconds: 1, containers: [{ name: 'count', command: ['sh', '-c', script] }, { name: 'steady', command: ['sh', '-c', ticker] }] },
  });
  if (!r) throw new Error('no pod');
  await waitFor(async () => {
    const c = (await get('numbers')).containers[0]!;
    return c.state === 'Terminated' && c.reason === 'Completed' ? c : undefined;
  }, 'the third run of count to complete', 30_000);
});
test.after.always(async () => {
  await node?.cli(['rm', '-f', 'numbers', 'imaged']);
  await node?.cli(['image', 'rm', 'busybox']);
  await node?.dispose();
});

const run = (n: number) => [1, 2, 3, 4, 5].map((i) => `run ${n} line ${i}`);

test.serial('logs shows the last run only; -p the one before; stdout and stderr both', async (t) => {
  const last = await node.cli(['logs', 'numbers', '-c', 'count']);
  t.is(last.exitCode, 0, last.stderr);
  t.deepEqual(lines(last.stdout), run(3));
  const previous = await node.cli(['logs', 'numbers', '-c', 'count', '-p']);
  t.deepEqual(lines(previous.stdout), run(2));
  t.is((await node.cli(['logs', 'numbers', '-c', 'count', '--previous'])).stdout, previous.stdout);
  const p = await get('numbers');
  t.is(p.containers[0]!.restartCount, 2);
});

test.serial('on disk: CRI records (time, stream, F) in NAME.log, the run before in NAME.previous.log, the first run gone', async (t) => {
  const dir = path.dirname((await get('numbers')).containers[0]!.logPath);
  t.deepEqual((await readdir(dir)).sort(), ['count.log', 'count.previous.log', 'steady.log']);
  const records = lines(await readFile(path.join(dir, 'count.log'), 'utf8'));
  t.deepEqual(records.map((l) => l.split(' ').slice(1).join(' ')), run(3).map((l, i) => `${i === 0 ? 'stderr' : 'stdout'} F ${l}`));
  t.true(records.every((l) => STAMP.test(l.split(' ')[0]!)), records.join('\n'));
  t.notRegex(await readFile(path.join(dir, 'count.previous.log'), 'utf8'), /run 1/);
});

test.serial('--timestamps: each line begins with the RFC 3339 time it was written, in order', async (t) => {
  const out = lines((await node.cli(['logs', 'numbers', '-c', 'count', '--timestamps'])).stdout);
  t.deepEqual(out.map((l) => l.slice(l.indexOf(' ') + 1)), run(3));
  const stamps = out.map((l) => l.split(' ')[0]!);
  t.true(stamps.every((s) => STAMP.test(s)), stamps.join(' '));
  t.deepEqual([...stamps].sort(), stamps, 'in the order written');
});

test.serial('--since-time and --since leave out older lines', async (t) => {
  const stamps = lines((await node.cli(['logs', 'numbers', '-c', 'count', '--timestamps'])).stdout).map((l) => l.split(' ')[0]!);
  // Line 2 came at least 1.2 s after line 1 (the script waits): a time between them.
  const between = new Date(Date.parse(stamps[1]!) - 100).toISOString();
  t.true(Date.parse(between) > Date.parse(stamps[0]!));
  t.deepEqual(lines((await node.cli(['logs', 'numbers', '-c', 'count', '--since-time', between])).stdout), run(3).slice(1));
  t.deepEqual(lines((await node.cli(['logs', 'numbers', '-c', 'count', '--since', '1h'])).stdout), run(3));
  // Once the last line is more than 2 s old (by its own stamp), --since 1s shows nothing.
  await waitFor(async () => Date.now() - Date.parse(stamps[4]!) > 2000, 'the last line to be 2 s old', 10_000, 100);
  const none = await node.cli(['logs', 'numbers', '-c', 'count', '--since', '1s']);
  t.is(none.exitCode, 0, none.stderr);
  t.is(none.stdout, '');
});

test.serial('--tail N: the last N lines (0: none), of -p too; with --since', async (t) => {
  t.deepEqual(lines((await node.cli(['logs', 'numbers', '-c', 'count', '--tail', '2'])).stdout), run(3).slice(3));
  t.is((await node.cli(['logs', 'numbers', '-c', 'count', '--tail', '0'])).stdout, '');
  t.deepEqual(lines((await node.cli(['logs', 'numbers', '-c', 'count', '--tail=99'])).stdout), run(3));
  t.deepEqual(lines((await node.cli(['logs', 'numbers', '-c', 'count', '-p', '--tail', '1'])).stdout), run(2).slice(4));
  t.deepEqual(lines((await node.cli(['logs', 'numbers', '-c', 'count', '--tail', '1', '--since', '1h', '--timestamps'])).stdout).map((l) => l.split(' ').slice(1).join(' ')), run(3).slice(4));
});

test.serial('without -c: the first container, and kubectl\'s note on stderr', async (t) => {
  const r = await node.cli(['logs', 'numbers']);
  t.deepEqual(lines(r.stdout), run(3));
  t.is(r.stderr, 'Defaulted container "count" out of: count, steady\n');
});

test.serial('--all-containers: every container in turn; --prefix names each line\'s pod and container', async (t) => {
  const all = lines((await node.cli(['logs', 'numbers', '--all-containers', '--tail', '3'])).stdout);
  t.deepEqual(all.slice(0, 3), run(3).slice(2));
  t.regex(all[3]!, /^tick \d+$/);
  t.is(all.length, 6);
  const prefixed = lines((await node.cli(['logs', 'numbers', '--all-containers', '--prefix', '--tail', '1'])).stdout);
  t.is(prefixed[0], '[pod/numbers/count] run 3 line 5');
  t.regex(prefixed[1]!, /^\[pod\/numbers\/steady\] tick \d+$/);
});

test.serial('-f --tail 1: the last line, then the new ones as they come', async (t) => {
  await waitFor(async () => Number(/tick (\d+)/.exec((await node.cli(['logs', 'numbers', '-c', 'steady', '--tail', '1'])).stdout)?.[1] ?? 0) > 5, 'a few ticks', 10_000, 100);
  const follow = execa(process.execPath, [CLI, 'logs', 'numbers', '-c', 'steady', '-f', '--tail', '1'], { env: { MINIPOD_SOCKET: node.socket }, reject: false, buffer: false });
  t.teardown(() => void follow.kill('SIGKILL'));
  let text = '';
  follow.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  await waitFor(async () => lines(text).length >= 4, 'four lines followed', 15_000, 50);
  follow.kill('SIGTERM');
  const got = lines(text).map((l) => Number(/^tick (\d+)$/.exec(l)?.[1]));
  t.true(got.every((n) => n > 5), `no line from before the tail: ${text}`);
  t.deepEqual(got.slice(0, 4), [got[0]!, got[0]! + 1, got[0]! + 2, got[0]! + 3], 'one old line, then each new one, none twice');
});

test.serial('--limit-bytes N: the first N bytes of each container\'s output; a follow ends there too', async (t) => {
  t.is((await node.cli(['logs', 'numbers', '-c', 'count', '--limit-bytes', '13'])).stdout, 'run 3 line 1\n');
  t.is((await node.cli(['logs', 'numbers', '-c', 'count', '--limit-bytes', '9999'])).stdout, `${run(3).join('\n')}\n`);
  const both = await node.cli(['logs', 'numbers', '--all-containers', '--limit-bytes', '5']);
  t.is(both.stdout, 'run 3stead', 'five bytes of each');
  const follow = await node.cli(['logs', 'numbers', '-c', 'steady', '-f', '--tail', '1', '--limit-bytes', '3']);
  t.is(follow.exitCode, 0, follow.stderr);
  t.is(follow.stdout, 'tic');
});

test.serial('-p of a container that never restarted: kubectl\'s error, exit 1', async (t) => {
  const r = await node.cli(['logs', 'numbers', '-c', 'steady', '-p']);
  t.is(r.exitCode, 1);
  t.is(r.stderr, 'minipod: previous terminated container "steady" in pod "numbers" not found\n');
});

test.serial('bad values are usage errors naming the flag (exit 2)', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--tail', 'x'], /^minipod: --tail x: give a whole number of lines/],
    [['--tail', '-5'], /^minipod: --tail -5: /],
    [['--since', '5q'], /^minipod: --since 5q: give a positive duration such as 30s, 5m, 1h/],
    [['--since-time', 'yesterday'], /^minipod: --since-time yesterday: give an RFC 3339 time/],
    [['--since', '5m', '--since-time', '2024-05-01T10:00:00Z'], /^minipod: --since and --since-time: give one of them/],
    [['--all-containers', '-c', 'count'], /^minipod: --all-containers and -c: give one of them/],
    [['--limit-bytes', '0'], /^minipod: --limit-bytes 0: give a whole number of bytes greater than 0/],
  ];
  for (const [args, message] of cases) {
    const r = await node.cli(['logs', 'numbers', ...args]);
    t.is(r.exitCode, 2, args.join(' '));
    t.regex(r.stderr, message, args.join(' '));
  }
});

test.serial('a log written before records (raw lines) is still read, around the records', async (t) => {
  const file = (await get('numbers')).containers[0]!.logPath;
  await appendFile(file, 'an old raw line\n');
  const r = await node.cli(['logs', 'numbers', '-c', 'count', '--tail', '2', '--prefix']);
  t.deepEqual(lines(r.stdout), ['[pod/numbers/count] run 3 line 5', '[pod/numbers/count] an old raw line']);
});

test.serial('image containers under runc and crun: their output as records too', async (t) => {
  await importImages(node, ['busybox.tar']);
  const box = (name: string) => ({ name, image: 'busybox', command: ['sh', '-c', `echo ${name} out; echo ${name} err >&2; exec sleep 1000`] });
  const crun = existsSync('/usr/bin/crun') || existsSync('/usr/local/bin/crun');
  await node.api.request('POST', '/pods', { metadata: { name: 'imaged' }, spec: { terminationGracePeriodSeconds: 1, containers: [box('runc')] } });
  const names = ['runc'];
  if (crun) {
    await node.api.request('POST', '/pods', { metadata: { name: 'imaged-crun' }, spec: { terminationGracePeriodSeconds: 1, runtimeClassName: 'crun', containers: [box('crun')] } });
    names.push('crun');
  } else t.log('crun is not installed: only runc checked');
  t.teardown(() => node.cli(['rm', '-f', 'imaged-crun']).then(() => undefined));
  for (const name of names) {
    const pod = name === 'runc' ? 'imaged' : 'imaged-crun';
    const out = await waitFor(async () => {
      const r = await node.cli(['logs', pod, '--timestamps']);
      return lines(r.stdout).length === 2 ? r.stdout : undefined;
    }, `the ${name} container's two lines`, 20_000, 100);
    t.deepEqual(lines(out).map((l) => l.slice(l.indexOf(' ') + 1)).sort(), [`${name} err`, `${name} out`]);
    t.true(lines(out).every((l) => STAMP.test(l.split(' ')[0]!)), out);
  }
  t.is((await node.cli(['rm', '-f', 'imaged', 'imaged-crun'])).exitCode, 0);
});

test.serial('rm leaves nothing: every log file goes with the pod', async (t) => {
  const dir = path.dirname((await get('numbers')).containers[0]!.logPath);
  t.is((await node.cli(['rm', '-f', 'numbers'])).exitCode, 0);
  t.false(existsSync(dir));
  t.is((await node.cli(['image', 'rm', 'busybox'])).exitCode, 0);
  await rm(runs, { force: true });
  await assertNodeEmpty(t, node);
});
