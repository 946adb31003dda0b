// Container logs are capped and rotated (copytruncate): a node started with a 1 MiB × 3 cap and a
// pod that writes far more than that. The logs live on a small tmpfs mounted in the node's mount
// namespace, so a failure fills that tmpfs, never the machine's disk.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, CLI, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';
import { execa } from 'execa';

const MiB = 1024 * 1024;
const CAP = { maxSize: MiB, maxFiles: 3 };
const TMPFS_MIB = 32;

let node: TestNode;
let logs: string;
let manifest: string;

test.before(async () => {
  node = await startTestNode({ containerLogMaxSize: '1Mi', containerLogMaxFiles: '3' });
  logs = path.join(node.stateDir, 'logs');
  await node.sh(['mkdir', '-p', logs]);
  const m = await node.sh(['mount', '-t', 'tmpfs', '-o', `size=${TMPFS_MIB}m,mode=0700`, 'minipod-test-logs', logs]);
  if (m.exitCode !== 0) throw new Error(`mount tmpfs: ${m.stderr}`);
  // 1 MiB chunks, numbered, with a pause between: far more than the cap (and the tmpfs) in all,
  // at a rate one check interval (250 ms) cannot turn into more than a few MiB.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-logrot-'));
  manifest = path.join(dir, 'chatty.yaml');
  // Lines of about 100 bytes: each is stored with a CRI head of about 40 (the shim's record), which
  // a line of 8 would multiply five times.
  const script = `i=0; while :; do i=$((i+1)); yes "${'x'.repeat(90)} chunk $i" | head -c 1048576; sleep 0.05; done`;
  await writeFile(manifest, `metadata: {name: chatty}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n    - name: talker\n      command: [sh, -c, '${script}']\n`);
});
test.after.always(async () => {
  if (node) await node.sh(['umount', logs]);
  await node?.dispose();
  if (manifest) await rm(path.dirname(manifest), { recursive: true, force: true });
});

/** The files under the pod's log dir, with their sizes, and the tmpfs's use, seen inside the node. */
async function logFiles(): Promise<Map<string, number>> {
  const r = await node.sh(['find', path.join(logs, 'chatty'), '-type', 'f', '-printf', '%f %s\\n']);
  return new Map(r.stdout.split('\n').filter(Boolean).map((l) => [l.split(' ')[0]!, Number(l.split(' ')[1])]));
}

const lastChunk = async () => {
  const tail = await node.sh(['tail', '-c', '400', path.join(logs, 'chatty', 'talker.log.1')]);
  return Number(/chunk (\d+)\n[^\n]*$/.exec(tail.stdout)?.[1] ?? 0);
};

test.serial('the node passes the flags to its daemon and keeps them in node.json', async (t) => {
  const cmdline = (await execa('cat', [`/proc/${node.pid}/cmdline`])).stdout.split('\0');
  t.deepEqual(cmdline.slice(cmdline.indexOf('--container-log-max-size'), cmdline.indexOf('--container-log-max-size') + 4), ['--container-log-max-size', '1Mi', '--container-log-max-files', '3']);
  const saved = JSON.parse((await execa('cat', [path.join(node.dir, 'node.json')])).stdout);
  t.like(saved, { containerLogMaxSize: '1Mi', containerLogMaxFiles: '3' });
});

test.serial('a pod writing far more than the cap: at most 3 files, rotated ones at most 1 MiB, .1 and .2 exist', async (t) => {
  const r = await node.cli(['run', '-f', manifest]);
  t.is(r.exitCode, 0, r.stderr);
  // Until it has written more than the whole tmpfs holds (a bounded wait, not a speed).
  let peak = 0;
  await waitFor(async () => {
    const files = await logFiles();
    const total = [...files.values()].reduce((a, b) => a + b, 0);
    peak = Math.max(peak, total);
    t.true([...files.keys()].every((f) => ['talker.log', 'talker.log.1', 'talker.log.2'].includes(f)), [...files.keys()].join(' '));
    for (const rotated of ['talker.log.1', 'talker.log.2']) if (files.has(rotated)) t.true(files.get(rotated)! <= CAP.maxSize, `${rotated} ${files.get(rotated)}`);
    return (await lastChunk()) > TMPFS_MIB + 8;
  }, `more than ${TMPFS_MIB + 8} MiB written`, 90_000, 100);
  const files = await logFiles();
  t.deepEqual([...files.keys()].sort(), ['talker.log', 'talker.log.1', 'talker.log.2']);
  t.is(files.get('talker.log.1'), CAP.maxSize, 'a rotated file holds the last maxSize bytes');
  // maxFiles × maxSize plus what one check interval lets through, far below what was written.
  t.true(peak < TMPFS_MIB * MiB / 2, `peak ${peak} bytes`);
  t.log(`peak use ${(peak / MiB).toFixed(1)} MiB after ${await lastChunk()} MiB written`);
  const pod = await node.api.request<PodRecord>('GET', '/pods/chatty');
  t.like(pod.containers[0], { state: 'Running', restartCount: 0 });
});

test.serial('minipod logs shows the current file', async (t) => {
  // Right after a rotation the current file is empty (the talker refills it within ~50 ms): ask again.
  const logs = () => execa(process.execPath, [CLI, 'logs', 'chatty'], { env: { MINIPOD_SOCKET: node.socket }, reject: false, maxBuffer: 64 * MiB, encoding: 'buffer' });
  const r = await waitFor(async () => {
    const out = await logs();
    return out.exitCode !== 0 || /chunk \d+/.test(Buffer.from(out.stdout).subarray(-200).toString()) ? out : undefined;
  }, 'a current log file with a chunk in it', 10_000, 100);
  t.is(r.exitCode, 0);
  t.true(r.stdout.length <= 16 * MiB, `${r.stdout.length} bytes`);
  t.regex(Buffer.from(r.stdout).subarray(-200).toString(), /chunk \d+/);
});

test.serial('minipod logs -f keeps streaming across rotations', async (t) => {
  const from = await lastChunk();
  const follow = execa(process.execPath, [CLI, 'logs', '-f', 'chatty'], { env: { MINIPOD_SOCKET: node.socket }, reject: false, buffer: false });
  t.teardown(() => void follow.kill('SIGKILL'));
  let seen = 0;
  let carry = '';
  follow.stdout!.on('data', (d: Buffer) => {
    const text = carry + d.toString('latin1');
    for (const m of text.matchAll(/chunk (\d+)\n/g)) seen = Math.max(seen, Number(m[1]));
    carry = text.slice(-32);
  });
  // Chunks written long after it started: each is 1 MiB, so many rotations later.
  await waitFor(async () => seen > from + 8, `logs -f to show chunk ${from + 9} or later`, 90_000, 50);
  t.true(seen > from + 8);
});

test.serial('rm removes every log file of the pod, rotated ones included', async (t) => {
  t.is((await node.cli(['rm', '-f', 'chatty'])).exitCode, 0);
  const left = await node.sh(['find', logs, '-mindepth', '1']);
  t.is(left.stdout, '');
  await assertNodeEmpty(t, node);
});

test('bad flag values are usage errors naming the flag, and start nothing', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-logrot-flags-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cases: [string[], RegExp][] = [
    [['daemon', '--state-dir', dir, '--run-dir', dir, '--container-log-max-size', '1k'], /^minipod: --container-log-max-size 1k: give a size of at least 16Ki/],
    [['daemon', '--state-dir', dir, '--run-dir', dir, '--container-log-max-files', '1'], /^minipod: --container-log-max-files 1: give a whole number of at least 2/],
    [['node', 'start', '--dir', path.join(dir, 'node'), '--container-log-max-size', '10MB'], /^minipod: --container-log-max-size 10MB: /],
    [['node', 'start', '--dir', path.join(dir, 'node'), '--container-log-max-files', 'many'], /^minipod: --container-log-max-files many: /],
  ];
  for (const [args, message] of cases) {
    const r = await execa(process.execPath, [CLI, ...args], { reject: false, timeout: 30_000 });
    t.is(r.exitCode, 2, args.join(' '));
    t.regex(r.stderr, message);
  }
  t.deepEqual((await execa('ls', ['-A', dir])).stdout, '', 'no node, no state');
});
