// The Deployment controller with the real pod manager on the fake kernel, while a pod's teardown
// goes on in the background (its app ignores SIGTERM: the teardown lasts its grace period). As a
// ReplicaSet treats a pod with a deletionTimestamp: not counted as a replica (the replacement is
// made at once, not after the teardown), and never removed again meanwhile.
import test from 'ava';
import { DeploymentController } from '../../../lib/deploy/controller.js';
import { DeploymentStore } from '../../../lib/deploy/store.js';
import { webDeployment } from '../../helpers/deployment.js';
import { fakeNode } from '../../helpers/fake-node.js';

const manifest = (replicas: number) => webDeployment(replicas, 'web', { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', '1000'] }] });

test.serial('a pod being torn down is not a replica: replaced at once, never removed twice, and the node ends empty', async (t) => {
  const node = await fakeNode(t);
  const store = new DeploymentStore(node.stateDir);
  await store.init();
  const c = new DeploymentController(store, node.pods, node.events);
  await c.init();
  t.teardown(() => c.stop());
  await c.apply(manifest(2));
  await c.kick();
  const [first, second] = node.pods.list();
  t.truthy(first && second);
  node.fake.procs.get(first!.containers[0]!.pid!)!.ignoresTerm = true; // its teardown lasts 1 s

  await node.answered(first!.name, true); // `rm -f` by hand, as the API answers it
  t.is(node.pods.removing(), 1);
  await c.kick();
  await c.kick(); // and a few more passes, as the teardown's own events start them
  t.is(node.pods.removing(), 1, 'the replacement was made while the old pod is still being torn down');
  const live = node.pods.list();
  t.is(live.length, 2, 'two replicas: the one being torn down is not counted');
  t.false(live.some((p) => p.name === first!.name));
  t.true(live.some((p) => p.name === second!.name), 'the other pod is kept');

  await node.pods.removalsDone();
  await c.kick();
  t.is(node.reasons().filter((r) => r === 'Killing').length, 1, 'the pod being torn down was stopped once');
  t.false(node.reasons().includes('SuccessfulDelete'), 'the controller never removed it again');
  t.is(node.pods.list().length, 2, 'nothing made or removed once the teardown is done');

  await c.remove('web');
  await node.pods.removalsDone();
  t.deepEqual(node.pods.list(), []);
});
