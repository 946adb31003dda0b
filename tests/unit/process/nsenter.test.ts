// The nsenter command line of a container without an image: the pod's namespaces, and its user.
import test from 'ava';
import { FakeHost } from '../../../lib/os/fake.js';
import { useHost } from '../../../lib/os/host.js';
import { inPodNamespaces } from '../../../lib/process/nsenter.js';

test('a host process joins the pod\'s net, uts and ipc; with a user, nsenter sets the gid, then the uid', (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  const nsenter = fake.tools.nsenter;
  t.deepEqual(inPodNamespaces(42, ['/bin/sleep', '9']), [nsenter, '--target=42', '--net', '--uts', '--ipc', '--', '/bin/sleep', '9']);
  t.deepEqual(inPodNamespaces(42, ['/bin/id'], { uid: 1000, gid: 3000 }), [nsenter, '--setgid=3000', '--setuid=1000', '--target=42', '--net', '--uts', '--ipc', '--', '/bin/id']);
});
