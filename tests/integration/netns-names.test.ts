// `ip netns` sees pods (issue 11, point 4): in the node, each pod has a name under /run/netns, a
// bind mount of its sandbox's network namespace (as `ip netns add` makes one), so `ip netns list`,
// `exec` and `identify` work as the blog uses them. The name follows a recreated sandbox (and the
// old namespace is really freed), survives a daemon restart (which repairs it), goes with the pod,
// and gc removes only the names minipod made. Checked from outside with ip, stat and /proc.
import { mkdir, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { Stats } from '../../lib/api/protocol.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, netnsLeftovers, nodeLinks, processesIn, sigterm, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;

test.before(async () => {
  node = await startTestNode();
});
test.after.always(() => node?.dispose());
// A failed test must not fail the next ones: what it left goes (the leak check is each test's own).
test.afterEach.always(async () => {
  for (const name of ['web', 'taken']) await node.cli(['rm', '-f', name]);
  await node.cli(['rm', '-f', '-n', 'team-a', 'web']);
  for (const name of ['other', 'ghost', 'taken']) await node.sh(['ip', 'netns', 'delete', name]);
});

const sleeper = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });
const inspect = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
/** The inode number in "net:[4026532636]". */
const inode = (ns: string) => /^net:\[(\d+)\]$/.exec(ns)![1]!;
const sh = async (...argv: string[]) => {
  const r = await node.sh(argv);
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout.trim();
};
/** `ip netns list` on the node: the names, without "(id: N)". */
const netnsList = async () => (await sh('ip', 'netns', 'list')).split('\n').filter(Boolean).map((l) => l.split(' ')[0]!).sort();

/** The name points at the pod's sandbox, as ip, stat and /proc see it from outside. */
async function assertNamed(t: import('ava').ExecutionContext, p: PodRecord): Promise<void> {
  const { pid, netns } = p.sandbox!;
  t.true((await netnsList()).includes(p.name), 'ip netns list shows the pod');
  t.is(await sh('ip', 'netns', 'identify', String(pid)), p.name, 'ip netns identify PAUSE gives the pod');
  t.is(await sh('stat', '-L', '-c', '%i', `/run/netns/${p.name}`), inode(netns), 'the name is the sandbox\'s namespace');
  t.is(await readlink(`/proc/${pid}/ns/net`), netns);
  const addr = await sh('ip', 'netns', 'exec', p.name, 'ip', '-br', 'a', 'show', 'eth0');
  t.regex(addr, new RegExp(`^eth0@if\\d+\\s+UP\\s+${p.ip.replaceAll('.', '\\.')}/\\d+`), 'ip netns exec NAME ip a shows the pod\'s eth0 and IP');
}


test.serial('a pod is an `ip netns` name: list, exec, identify and stat agree with its sandbox', async (t) => {
  await node.api.request('POST', '/pods', sleeper('web'));
  const p = await inspect('web');
  await assertNamed(t, p);
  const mounts = (await netnsLeftovers(node)).nsfs;
  t.deepEqual(mounts, [`/run/netns/web nsfs[${p.sandbox!.netns}]`], 'one nsfs mount, the name');
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  t.deepEqual(await netnsList(), [], 'rm: the name is gone');
  await assertNodeEmpty(t, node);
});

test.serial('the name follows a recreated sandbox; the old namespace is freed with its veth', async (t) => {
  await node.api.request('POST', '/pods', sleeper('web'));
  const before = await inspect('web');
  const old = before.sandbox!;
  process.kill(old.pid, 'SIGKILL');
  const after = await waitFor(async () => {
    const p = await inspect('web');
    return p.phase === 'Running' && p.sandbox!.pid !== old.pid && p.lastRecovery?.action === 'recreate' && p;
  }, 'the sandbox to be recreated');
  t.not(after.sandbox!.netns, old.netns);
  t.is(after.ip, before.ip);
  await assertNamed(t, after);
  // Freed: no process in it, no mount of it anywhere in the node, and its veth gone with it. The
  // kernel reuses a freed namespace's number at once: the pool's next spare holder may have it.
  const { spareHolderPids } = await node.api.request<Stats>('GET', '/stats');
  t.deepEqual((await processesIn(old.netns)).filter((q) => !spareHolderPids.includes(q.pid)), []);
  t.false((await netnsLeftovers(node)).nsfs.join('\n').includes(old.netns), 'no name keeps the old namespace');
  await waitFor(async () => !(await nodeLinks(node)).includes(old.hostVeth), 'the old veth to go');
  t.is((await node.cli(['stop', 'web'])).exitCode, 0);
  t.deepEqual(await netnsList(), [], 'stop: a stopped pod has no sandbox, so no name');
  t.is((await node.cli(['rm', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('a recovery\'s new holder unmounts the old name, stacked mounts too; a pod of the same name in default keeps its own', async (t) => {
  await node.api.request('POST', '/pods', sleeper('web'));
  await node.api.request('POST', '/pods?namespace=team-a', sleeper('web'));
  const plain = await inspect('web');
  const before = await node.api.request<PodRecord>('GET', '/pods/web?namespace=team-a');
  // Somebody's bind mount stacked on the pod's name (the node's holder's namespace): an unbind takes every one.
  await sh('mount', '--bind', `/proc/${plain.sandbox!.pid}/ns/net`, '/run/netns/team-a_web');
  process.kill(before.sandbox!.pid, 'SIGKILL');
  const after = await waitFor(async () => {
    const p = await node.api.request<PodRecord>('GET', '/pods/web?namespace=team-a');
    return p.phase === 'Running' && p.sandbox!.pid !== before.sandbox!.pid && p.lastRecovery?.action === 'recreate' && p;
  }, 'team-a/web\'s sandbox to be recreated');
  const nsfs = (await netnsLeftovers(node)).nsfs;
  t.deepEqual(nsfs.filter((l) => l.startsWith('/run/netns/team-a_web ')), [`/run/netns/team-a_web nsfs[${after.sandbox!.netns}]`], 'one mount on the name, the new sandbox');
  t.deepEqual(nsfs.filter((l) => l.startsWith('/run/netns/web ')), [`/run/netns/web nsfs[${plain.sandbox!.netns}]`], 'default/web\'s name untouched');
  t.is((await node.cli(['rm', '-f', '-n', 'team-a', 'web'])).exitCode, 0);
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('a daemon restart keeps the name, and repairs one removed or re-pointed while it was down', async (t) => {
  await node.api.request('POST', '/pods', sleeper('web'));
  const p = await inspect('web');
  const restart = async () => {
    await sigterm(node);
    node = await startTestNode({}, node.dir);
  };
  await restart();
  await assertNamed(t, p);

  await sigterm(node);
  await sh('ip', 'netns', 'delete', 'web');
  node = await startTestNode({}, node.dir);
  await assertNamed(t, await inspect('web'));
  const events = async () => (await node.cli(['events', 'web'])).stdout;
  t.regex(await events(), /NetnsNameRepaired\s+web\s+ip netns name web was missing: points at net:\[\d+\] again/);

  await sigterm(node);
  await sh('ip', 'netns', 'delete', 'web');
  await sh('ip', 'netns', 'add', 'web'); // the same name, another (empty) namespace
  const wrong = await sh('stat', '-L', '-c', '%i', '/run/netns/web');
  node = await startTestNode({}, node.dir);
  await assertNamed(t, await inspect('web'));
  t.regex(await events(), new RegExp(`ip netns name web pointed at net:\\[${wrong}\\]: points at ${p.sandbox!.netns.replace(/[[\]]/g, '\\$&')} again`));
  t.false((await netnsLeftovers(node)).nsfs.join('\n').includes(wrong), 'the namespace it pointed at is let go');
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('gc --fix removes a name minipod made that no pod owns, never a user\'s own `ip netns add`', async (t) => {
  await sh('ip', 'netns', 'add', 'other'); // the user's
  // What a daemon killed between two steps leaves: a registered name whose pod is gone.
  await sh('ip', 'netns', 'add', 'ghost');
  await mkdir(path.join(node.stateDir, 'netns'), { recursive: true });
  await writeFile(path.join(node.stateDir, 'netns', 'ghost'), `${JSON.stringify({ uid: 'gone-uid', netns: 'net:[1]' })}\n`);
  const gc = await node.cli(['gc']);
  t.is(gc.exitCode, 0, gc.stderr);
  t.regex(gc.stdout, /^netns\s+\/run\/netns\/ghost\s+\(the `ip netns` name minipod made for pod ghost \(uid gone-uid\), still holding net:\[\d+\], which no pod's sandbox owns any more/m);
  t.notRegex(gc.stdout, /other/, 'a user\'s name is not minipod\'s to list');
  const fix = await node.cli(['gc', '--fix']);
  t.is(fix.exitCode, 0, fix.stderr);
  t.deepEqual(await netnsList(), ['other'], 'ghost removed, the user\'s name kept');
  t.deepEqual((await netnsLeftovers(node)).nsfs.map((l) => l.split(' ')[0]), ['/run/netns/other']);
  await sh('ip', 'netns', 'delete', 'other');
  await assertNodeEmpty(t, node);
});

test.serial('a pod named like a user\'s `ip netns` name is refused, changing nothing; the user\'s name is kept', async (t) => {
  await sh('ip', 'netns', 'add', 'taken');
  const r = await node.cli(['run', 'taken', '-c', 'app=sleep infinity']);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /metadata\.name: \/run\/netns\/taken exists and minipod did not make it \(an `ip netns add taken`\?\): remove it with `ip netns delete taken` on the node, or give the pod another name/);
  t.deepEqual(await netnsList(), ['taken']);
  await sh('ip', 'netns', 'delete', 'taken');
  await assertNodeEmpty(t, node);
});
