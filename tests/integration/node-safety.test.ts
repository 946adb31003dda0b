// A node's directory and commands as a hostile local user or a crash would test them (issue:
// hardening, points 1, 6 and 8): root never writes through what another user controls, node
// commands on one directory run one at a time, `node stop` finds every process of a node whose
// daemon and holder both died, and a node keeps its flags through it all.
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { nodeCgroup } from '../../lib/node/node-cgroup.js';
import { nodePaths } from '../../lib/node-paths.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { alive, CLI, startTestNode } from '../helpers/node.js';
import { nodeExecArgv } from '../../lib/node/node-namespace.js';
import { waitFor } from '../helpers/wait.js';

const NOBODY = 65534;
let scratch: string;
test.before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'minipod-safety-'));
});
test.after.always(() => rm(scratch, { recursive: true, force: true }));

const minipod = (args: string[], env: Record<string, string> = {}) => execa(process.execPath, [CLI, ...args], { reject: false, env: { MINIPOD_SOCKET: '', ...env }, timeout: 90_000 });

async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

test('node start refuses a directory another user owns or can write, and writes nothing there', async (t) => {
  const owned = path.join(scratch, 'owned');
  await mkdir(owned);
  await chown(owned, NOBODY, NOBODY);
  let r = await minipod(['node', 'start', '--dir', owned]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /owned by uid 65534, not root: anyone who controls it could make root write or run what they choose; remove it/);
  t.deepEqual(await listing(owned), []);

  const open = path.join(scratch, 'open');
  await mkdir(open);
  await chmod(open, 0o777);
  r = await minipod(['node', 'start', '--dir', open]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /is writable by everyone \(mode 777\)/);
  t.deepEqual(await listing(open), []);

  // A parent another user owns is as bad: they could swap the directory under us.
  const parent = path.join(scratch, 'theirs');
  await mkdir(parent);
  await chown(parent, NOBODY, NOBODY);
  r = await minipod(['node', 'start', '--dir', path.join(parent, 'node')]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /theirs is owned by uid 65534/);
  t.false(existsSync(path.join(parent, 'node')));
});

test('a symlink planted in the node directory is never followed', async (t) => {
  const dir = path.join(scratch, 'planted');
  await mkdir(dir, { mode: 0o700 });
  const target = path.join(scratch, 'victim');
  await writeFile(target, 'precious\n');
  for (const name of ['daemon.pid', 'daemon.log', 'node.json', 'node.pid']) {
    await symlink(target, path.join(dir, name));
    const r = await minipod(['node', 'start', '--dir', dir]);
    t.is(r.exitCode, 1, name);
    t.regex(r.stderr, new RegExp(`${name.replace('.', '\\.')} is a symlink: refusing to follow it|${name.replace('.', '\\.')} is not a regular file owned by root`), name);
    t.is(await readFile(target, 'utf8'), 'precious\n', `${name}: the target is untouched`);
    await rm(path.join(dir, name));
  }
  t.is((await minipod(['node', 'stop', '--dir', dir])).exitCode, 0);
});

test('node start refuses unusable --subnet and --bridge values before creating anything', async (t) => {
  const dir = path.join(scratch, 'flags');
  for (const [flag, value, message] of [
    ['--subnet', '127.0.0.0/8', /loopback/],
    ['--subnet', '0.0.0.0/8', /0\.0\.0\.0\/8/],
    ['--subnet', '224.1.0.0/16', /multicast/],
    ['--subnet', '240.0.0.0/8', /reserved/],
    ['--subnet', '169.254.0.0/16', /link-local/],
    ['--bridge', 'lo', /reserved \(the loopback device\)/],
    ['--bridge', '-evil', /not a valid interface name/],
    ['--bridge', 'much-too-long-bridge', /not a valid interface name/],
  ] as const) {
    const r = await minipod(['node', 'start', '--dir', dir, `${flag}=${value}`]);
    t.is(r.exitCode, 1, `${flag} ${value}`);
    t.regex(r.stderr, message);
    t.regex(r.stderr, new RegExp(`^minipod: ${flag}`));
  }
  t.false(existsSync(dir), 'nothing created');
});

test('the default node directory is under /var/lib, not /tmp', async (t) => {
  const r = await minipod(['node', 'env']);
  t.is(r.stdout.trim(), 'export MINIPOD_SOCKET=/var/lib/minipod-node/run/minipod.sock');
});

test('two concurrent node starts on one directory: one wins, the other fails and leaves it alone', async (t) => {
  const dir = path.join(scratch, 'race');
  t.teardown(() => minipod(['node', 'stop', '--dir', dir]));
  const [a, b] = await Promise.all([minipod(['node', 'start', '--dir', dir]), minipod(['node', 'start', '--dir', dir])]);
  t.deepEqual([a.exitCode, b.exitCode].sort(), [0, 1], `${a.stderr}${b.stderr}`);
  const loser = a.exitCode === 1 ? a : b;
  t.regex(loser.stderr, /a node is already running in .*race: restart its daemon with/);
  const winner = (a.exitCode === 0 ? a : b).stdout;
  const daemon = Number(/daemon pid (\d+)/.exec(winner)![1]);
  t.true(alive(daemon), 'the winner\'s daemon still runs');
  const ps = await minipod(['ps'], { MINIPOD_SOCKET: nodePaths(dir).socket });
  t.is(ps.exitCode, 0, ps.stderr);
});

test('node stop after the daemon and the node holder both died stops every process of the node; the node keeps its flags', async (t) => {
  const node = await startTestNode({ subnet: '10.77.0.0/24', bridge: 'mpsafe0' });
  t.teardown(() => node.dispose());
  t.is((await node.cli(['run', 'keep', '-c', 'app=sleep 7781'])).exitCode, 0);
  t.is((await node.cli(['run', 'web', '-c', 'httpd=busybox httpd -f -p 80 -h /tmp'])).exitCode, 0);
  const pods = (await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods;
  const pids = pods.flatMap((p) => [p.sandbox!.pid, ...p.containers.map((c) => c.pid!)]);
  const web = pods.find((p) => p.name === 'web')!;
  t.is(web.ip, '10.77.0.3');
  // A crash of everything that knows the node: the daemon and the holder of its namespaces.
  process.kill(node.pid, 'SIGKILL');
  process.kill(node.holderPid, 'SIGKILL');
  await waitFor(async () => !alive(node.pid) && !alive(node.holderPid), 'both dead');
  t.true(pids.every(alive), 'the pods live on, in a namespace nothing of ours holds');

  const stopped = await minipod(['node', 'stop', '--dir', node.dir]);
  t.is(stopped.exitCode, 0, stopped.stderr);
  t.deepEqual(pids.filter(alive), [], 'every process of the node is gone');
  t.false(existsSync(nodeCgroup(node.dir)!.dir), 'the node\'s cgroup is removed');

  // Started again without flags: the same subnet and bridge, so the pods come back routable.
  const started = await minipod(['node', 'start', '--dir', node.dir]);
  t.is(started.exitCode, 0, started.stderr);
  const env = { MINIPOD_SOCKET: nodePaths(node.dir).socket };
  const back = await waitFor(async () => {
    const p = JSON.parse((await minipod(['inspect', 'web'], env)).stdout || '{}') as PodRecord;
    return p.phase === 'Running' && p.containers?.[0]?.state === 'Running' ? p : undefined;
  }, 'web rebuilt');
  t.is(back.ip, '10.77.0.3');
  const holderPid = Number(/holder pid (\d+)/.exec(started.stdout)![1]);
  const onNode = (argv: string[]) => execa(nodeExecArgv({ holderPid }, argv)[0]!, nodeExecArgv({ holderPid }, argv).slice(1), { reject: false });
  t.regex(String((await onNode(['ip', '-o', 'addr', 'show', 'mpsafe0'])).stdout), /10\.77\.0\.1\/24/);
  await waitFor(async () => (await onNode(['curl', '-sS', '--max-time', '5', `http://${back.ip}:80/`])).exitCode !== 7 || undefined, 'web answers', 10_000);
  t.is((await minipod(['node', 'stop', '--dir', node.dir])).exitCode, 0);
});
