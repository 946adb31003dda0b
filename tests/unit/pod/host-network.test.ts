// A hostNetwork pod on the fake host: a pause that unshares IPC only, no veth, no eth0, no lease,
// no `ip netns` name; its app in the daemon's (node's) network namespace; stop leaves nothing and
// signals nothing else in that namespace.
import test from 'ava';
import { fakeNode, leftovers, sleepPod } from '../../helpers/fake-node.js';

test.serial('create and stop a hostNetwork pod: pause -i, no veth, no lease; the node\'s namespace is never swept', async (t) => {
  const node = await fakeNode(t);
  const { fake, pods } = node;
  const bystander = fake.add({ argv: ['sshd'] }); // another process in the node's namespace
  const r = await pods.create(sleepPod('hn', { hostNetwork: true }));
  t.is(r.phase, 'Running');
  t.is(r.ip, '', 'nothing leased');
  t.is(r.hostIP, '10.88.0.1', 'no default route on the fake: the bridge address');
  t.is(r.sandbox!.hostVeth, '');
  t.is(r.sandbox!.netns, fake.self.ns.net, 'the daemon\'s own');
  t.true(fake.lines('spawn').includes('spawn pause -i'));
  t.deepEqual(fake.lines('ip link add', 'pause', 'lease', 'run mount'), [], 'no veth, no eth0 config, no lease, no netns name');
  const app = fake.procs.get(r.containers[0]!.pid!)!;
  t.is(app.ns.net, fake.self.ns.net);
  t.is(app.ns.uts, fake.self.ns.uts);
  t.is(app.ns.ipc, fake.procs.get(r.sandbox!.pid)!.ns.ipc, 'the pod\'s own IPC, held by its pause');
  t.not(app.ns.ipc, fake.self.ns.ipc);
  await pods.remove('hn', true);
  t.true(fake.procs.has(bystander.pid), 'stop swept nothing of the node');
  t.deepEqual(fake.lines('pin'), [], 'the node\'s namespace is never pinned for a sweep');
  t.deepEqual((await leftovers(node)).filter((l) => !l.includes('sshd')), []);
});
