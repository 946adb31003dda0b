// createPod on the fake host: the order of kernel steps, the ip lines sent, and the undo order
// when a step fails. No root: the kernel is lib/os/fake.ts.
import test from 'ava';
import { fakeNode, sleepPod } from '../../helpers/fake-node.js';

test.serial('create: holder, cgroup, veth, eth0, app — in that order, with the pod\'s IP and MAC', async (t) => {
  const { fake, pods } = await fakeNode(t);
  const r = await pods.create(sleepPod());
  t.is(r.phase, 'Running');
  t.is(r.ip, '10.88.0.2');
  const steps = fake.lines('spawn', 'ip ', 'cgroup', 'pause');
  const holder = r.sandbox!.pid;
  t.deepEqual(steps.filter((l) => !l.startsWith('ip link set lo') && !l.startsWith('ip link add minipod0') && !l.startsWith('ip addr') && !l.startsWith('ip link set minipod0')).slice(0, 2), ['cgroup create pod-' + r.uid, 'spawn pause -n']);
  t.true(steps.some((l) => l.startsWith(`ip link add ${r.sandbox!.hostVeth} `)), steps.join('\n'));
  t.true(steps.includes(`pause ${holder} configure web 10.88.0.2/16 10.88.0.1`));
  const app = fake.procs.get(r.containers[0]!.pid!)!;
  t.deepEqual(app.argv, ['/usr/bin/sleep', '1000']);
  t.is(app.ns.net, r.sandbox!.netns, 'the app is in the holder\'s network namespace');
  t.is(app.cgroup, `/fake/cgroup/minipod/pod-${r.uid}`);
});
