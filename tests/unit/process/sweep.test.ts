// Sweeps by namespace (process/sweep.ts): never of the daemon's own namespace, which is what a
// hostNetwork pod's sandbox records (the node's): only the pids proven the pod's go there.
import test from 'ava';
import { FakeHost } from '../../../lib/os/fake.js';
import { useHost } from '../../../lib/os/host.js';
import { PinnedNamespace } from '../../../lib/process/sweep.js';

test.serial('the daemon\'s own network namespace is never pinned for a sweep; sweepOnce there kills only the pids given', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  const own = fake.self.ns.net;
  const holder = fake.add({ argv: ['pause', '-i'] });
  const bystander = fake.add({ argv: ['sshd'] });
  t.is(PinnedNamespace.take('net', own, [holder.pid, bystander.pid]), undefined);
  t.is(await PinnedNamespace.sweepOnce('net', own, [holder.pid]), 1);
  t.deepEqual(fake.lines('kill', 'pin'), [`kill ${holder.pid} SIGKILL`], 'no pin, and nothing else in the namespace signalled');
});

test.serial('a pod\'s own namespace is still swept whole, under a pin', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  const podNet = fake.newNs('net');
  const holder = fake.add({ argv: ['pause', '-n'], ns: { net: podNet } });
  const straggler = fake.add({ argv: ['daemonized'], ns: { net: podNet } });
  t.is(await PinnedNamespace.sweepOnce('net', podNet, [holder.pid]), 2);
  t.deepEqual(fake.lines('kill', 'pin', 'unpin').sort(), [`kill ${holder.pid} SIGKILL`, `kill ${straggler.pid} SIGKILL`, `pin ${podNet}`, `unpin ${podNet}`].sort());
});
