// What a GET shows: a container whose process is gone is not ready, even before the daemon has
// recorded its exit (issue 12: `run` took such an app for Running).
import test from 'ava';
import { FakeHost } from '../../../lib/os/fake.js';
import { useHost } from '../../../lib/os/host.js';
import { observe } from '../../../lib/pod/readiness.js';
import type { ContainerStatus, PodRecord } from '../../../lib/pod/types.js';

function podWith(c: Partial<ContainerStatus>): PodRecord {
  const container = { name: 'app', state: 'Running', ready: true, restartCount: 0, exitCode: null, signal: null, lastState: null, ...c } as ContainerStatus;
  return { name: 'p', sandbox: { pid: 1 }, containers: [container], manifest: { spec: { containers: [{ name: 'app', ports: [] }] } } } as unknown as PodRecord;
}

test.serial('ready while its process runs; not once it is a zombie or gone, though the record still says Running', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  const app = fake.add({ argv: ['/bin/false'] });
  const record = podWith({ pid: app.pid, startTime: app.startTime });
  t.true((await observe(record)).containers[0]!.ready);
  app.state = 'Z'; // exited; its shim has not reaped it, the daemon has not heard
  const seen = (await observe(record)).containers[0]!;
  t.is(seen.state, 'Running');
  t.false(seen.ready);
  fake.procs.delete(app.pid);
  t.false((await observe(record)).containers[0]!.ready);
  t.true(record.containers[0]!.ready, 'the record itself is left to the exit handler');
});

test.serial('another process on the recorded pid (reused) is not the container', async (t) => {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  const app = fake.add({ argv: ['/bin/sleep'] });
  t.false((await observe(podWith({ pid: app.pid, startTime: '1' }))).containers[0]!.ready);
});
