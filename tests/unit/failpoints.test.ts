// Failpoints (lib/failpoints.ts): an armed name throws at its step; armed as NAME:kill, the daemon
// SIGKILLs itself there (on the fake host: the kill is journalled, nothing real is signalled).
// Serial: the armed set and the fake host are global.
import test from 'ava';
import { armedFailpoints, armFailpoints, failpoint } from '../../lib/failpoints.js';
import { FakeHost } from '../../lib/os/fake.js';
import { useHost } from '../../lib/os/host.js';

test.serial('an armed failpoint throws naming itself; others and a disarmed one pass', (t) => {
  t.teardown(() => armFailpoints([]));
  armFailpoints(['create/create-veth']);
  t.throws(() => failpoint('create/create-veth'), { message: 'failpoint create/create-veth fired' });
  t.notThrows(() => failpoint('create/allocate-IP'));
  armFailpoints([]);
  t.notThrows(() => failpoint('create/create-veth'));
});

test.serial('NAME:kill SIGKILLs the daemon at that step, and no other', (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  t.teardown(() => armFailpoints([]));
  armFailpoints(['create/publish-host-ports:kill']);
  t.deepEqual(armedFailpoints(), ['create/publish-host-ports:kill']);
  failpoint('create/allocate-IP');
  t.deepEqual(fake.lines('kill'), []);
  t.notThrows(() => failpoint('create/publish-host-ports'), 'the fake kill returns: nothing is thrown');
  t.deepEqual(fake.lines('kill').map((l) => l.split(' ').slice(0, 3).join(' ')), [`kill ${process.pid} SIGKILL`]);
});
