// A pod's `ip netns` name on the fake host (sandbox/netns-name.ts, pod/netns.ts): made with the
// sandbox, re-pointed when it is recreated (the old one unmounted before the old veth goes),
// removed on stop, repaired by a restarted daemon, refused when a user's name is in the way, and
// listed by gc only when minipod made it. The fake's mount(8) keeps /proc/self/mountinfo.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { MinipodError } from '../../../lib/errors.js';
import { checkNetnsName } from '../../../lib/sandbox/netns-name.js';
import { assertInOrder, fakeNode, leftovers, showBridgeLinks, sleepPod, type FakeNode } from '../../helpers/fake-node.js';
import { waitFor } from '../../helpers/wait.js';

const dir = (n: FakeNode) => path.join(n.stateDir, 'run-netns');
/** The namespace each name's top mount holds, by name. */
function named(n: FakeNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of n.fake.mountinfo.split('\n').filter((x) => x.includes(' - nsfs '))) out[path.basename(l.split(' ')[4]!)] = l.split(' ')[3]!;
  return out;
}
const restart = (t: ExecutionContext, first: FakeNode) => fakeNode(t, { fake: first.fake, stateDir: first.stateDir });

test.serial('stop: the holder unmounts its name as it exits, so the namespace goes with it (the veth too); rm leaves nothing', async (t) => {
  const n = await fakeNode(t);
  const r = structuredClone(await n.pods.create(sleepPod()));
  t.deepEqual(named(n), { web: r.sandbox!.netns });
  const from = n.fake.journal.length;
  await n.pods.stop('web');
  assertInOrder(t, n.fake.journal.slice(from), [`kill -${r.sandbox!.pid} SIGTERM`, `pause ${r.sandbox!.pid} unmounts ${dir(n)}/web`, `kernel frees veth ${r.sandbox!.hostVeth}`]);
  t.false(n.fake.journal.slice(from).some((l) => l.startsWith('run umount')), 'no umount process');
  t.deepEqual(await readdir(dir(n)), [], 'ip netns list shows nothing for a stopped pod');
  await n.pods.remove('web', false);
  t.deepEqual(await leftovers(n), []);
});

test.serial('recreate: the new holder unmounts the old name before the old veth goes, the new one points at the new sandbox', async (t) => {
  const n = await fakeNode(t);
  const r0 = structuredClone(await n.pods.create(sleepPod()));
  const from = n.fake.journal.length;
  n.fake.exit(n.fake.procs.get(r0.sandbox!.pid)!, null, 'SIGKILL');
  await waitFor(async () => n.reasons().includes('SandboxRecreated'), 'SandboxRecreated');
  const r = n.pods.get('web');
  t.deepEqual(named(n), { web: r.sandbox!.netns }, 'one name, on the new namespace');
  assertInOrder(t, n.fake.journal.slice(from), [
    `pause ${r.sandbox!.pid} unbind ${dir(n)}/web`, // the new holder unmounts the old name: no umount process
    `pause ${r.sandbox!.pid} configure web ${r.ip}/16 10.88.0.1 ${r.mac}`,
    `pause ${r.sandbox!.pid} bind ${dir(n)}/web`, // the holder mounts its own namespace: no mount process
    'spawn sleep 1000',
  ]);
  assertInOrder(t, n.fake.journal.slice(from), [`pause ${r.sandbox!.pid} unbind ${dir(n)}/web`, `ip link del ${r0.sandbox!.hostVeth}`]);
  t.false(n.fake.journal.slice(from).some((l) => l.startsWith('run umount')), 'no umount process');
  t.deepEqual(JSON.parse(await readFile(path.join(n.stateDir, 'netns', 'web'), 'utf8')), { uid: r.uid }, 'kept from the first sandbox: a recreation writes nothing');
});

test.serial('recreate of a pod outside default: its own name (NS_NAME) is re-pointed, a default pod of the same name keeps its name', async (t) => {
  const n = await fakeNode(t);
  const plain = structuredClone(await n.pods.create(sleepPod()));
  const manifest = sleepPod();
  manifest.metadata.namespace = 'team-a';
  const other = structuredClone(await n.pods.create(manifest));
  t.deepEqual(named(n), { web: plain.sandbox!.netns, 'team-a_web': other.sandbox!.netns });
  n.fake.exit(n.fake.procs.get(other.sandbox!.pid)!, null, 'SIGKILL');
  await waitFor(async () => n.reasons().includes('SandboxRecreated'), 'SandboxRecreated');
  t.deepEqual(named(n), { web: plain.sandbox!.netns, 'team-a_web': n.pods.get('team-a_web').sandbox!.netns });
});

test.serial('a restarted daemon repairs a name removed, or pointed elsewhere, while it was down', async (t) => {
  const first = await fakeNode(t);
  showBridgeLinks(first.fake); // the veth is seen on the bridge: the sandbox is kept, not rebuilt
  const r = structuredClone(await first.pods.create(sleepPod()));
  await first.pods.detachAll();
  first.fake.mountinfo = first.fake.mountinfo.split('\n').filter((l) => !l.includes(`${dir(first)}/web `)).join('\n'); // `ip netns delete web`
  const second = await restart(t, first);
  t.deepEqual(named(second), { web: r.sandbox!.netns });
  t.true(second.reasons().includes('NetnsNameRepaired'), second.reasons().join(' '));
  await second.pods.detachAll();
  const elsewhere = second.fake.newNs('net');
  second.fake.mountinfo = second.fake.mountinfo.replace(r.sandbox!.netns, elsewhere); // `ip netns delete web; ip netns add web`
  const third = await restart(t, second);
  t.deepEqual(named(third), { web: r.sandbox!.netns }, 'the wrong mount is gone, the name is the sandbox\'s again');
  const from = third.fake.journal.length;
  await restart(t, third);
  t.deepEqual(third.fake.journal.slice(from).filter((l) => /^run (u?mount)/.test(l)), [], 'a right name is left as it is');
});

test.serial('a user\'s own name where the pod\'s would go: the create is refused before anything is made, the user\'s file kept', async (t) => {
  const n = await fakeNode(t);
  await n.pods.create(sleepPod('other')); // makes the directory
  await writeFile(path.join(dir(n), 'web'), ''); // `ip netns add web` on the node
  const from = n.fake.journal.length;
  const err = (await t.throwsAsync(n.pods.create(sleepPod()))) as MinipodError;
  t.deepEqual(n.fake.journal.slice(from), [], 'no kernel call');
  t.is(err.code, 'ALREADY_EXISTS');
  t.is(err.message, `metadata.name: ${dir(n)}/web exists and minipod did not make it (an \`ip netns add web\`?): remove it with \`ip netns delete web\` on the node, or give the pod another name`);
  t.deepEqual((await readdir(dir(n))).sort(), ['other', 'web'], 'the user\'s name is still there');
  t.deepEqual(await readdir(path.join(n.stateDir, 'netns')), ['other'], 'and not registered as ours');
  await n.pods.remove('other', true);
  t.deepEqual(await leftovers(n), ['netns name web'], 'nothing of the pod is left: only the user\'s own name');
});

test.serial('gc: a registered name no pod owns is listed and removed; a user\'s name never is', async (t) => {
  const n = await fakeNode(t);
  const r = await n.pods.create(sleepPod());
  // A daemon killed between two steps: a name of ours for a pod that is gone; and a user's own.
  for (const [name, registered] of [['ghost', true], ['mine', false]] as const) {
    const ns = n.fake.newNs('net');
    await writeFile(path.join(dir(n), name), '');
    n.fake.mountinfo += `700 29 0:4 ${ns} ${dir(n)}/${name} rw - nsfs nsfs rw\n`;
    if (registered) await writeFile(path.join(n.stateDir, 'netns', name), `${JSON.stringify({ uid: 'gone', netns: ns })}\n`);
  }
  const orphans = await n.pods.gc(false);
  t.deepEqual(orphans.filter((o) => o.kind === 'netns' || o.kind === 'mount').map((o) => `${o.kind} ${o.name}`), [`netns ${dir(n)}/ghost`]);
  t.regex(orphans.find((o) => o.kind === 'netns')!.origin, /^the `ip netns` name minipod made for pod ghost \(uid gone\), still holding net:\[\d+\], which no pod's sandbox owns any more/);
  await n.pods.gc(true);
  t.deepEqual((await readdir(dir(n))).sort(), ['mine', 'web']);
  t.deepEqual(Object.keys(named(n)).sort(), ['mine', 'web']);
  t.deepEqual((await n.pods.gc(false)).filter((o) => o.kind === 'netns'), [], 'a second gc finds nothing');
  t.is(named(n).web, r.sandbox!.netns, 'the pod\'s own name is untouched');
});

test('a pod name is always a valid `ip netns` name; one that is not would be refused naming the field', (t) => {
  for (const ok of ['web', 'a', 'x'.repeat(63)]) t.notThrows(() => checkNetnsName(ok));
  for (const bad of ['', '.', '..', '../etc', 'a/b']) t.throws(() => checkNetnsName(bad), { message: /^metadata\.name: ".*" cannot be an `ip netns` name \(a file name under \/run\/netns\)$/ });
});

test.serial('pods created at once on a new node bind the directory onto itself once, not one mount over another', async (t) => {
  const n = await fakeNode(t);
  await Promise.all(['a', 'b', 'c'].map((name) => n.pods.create(sleepPod(name))));
  t.deepEqual(n.fake.lines(`run mount --bind ${dir(n)} `, 'run mount --make-shared'), [`run mount --bind ${dir(n)} ${dir(n)}`, `run mount --make-shared ${dir(n)}`]);
  t.deepEqual(Object.keys(named(n)).sort(), ['a', 'b', 'c']);
});
