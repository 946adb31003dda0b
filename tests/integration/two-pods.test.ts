// Two pods: distinct IPs on one bridge, reaching each other (acceptance 4), and the shorthand run.
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, SEED, startTestNode, type TestNode } from '../helpers/node.js';
import { importSeedImages } from '../helpers/seed.js';

let node: TestNode;

test.before(async () => {
  node = await startTestNode();
  await importSeedImages(node);
});
test.after.always(() => node?.dispose());

test.serial('two pods get distinct IPs and reach each other through the bridge', async (t) => {
  t.is((await node.cli(['run', '-f', SEED])).exitCode, 0);
  const r = await node.cli(['run', 'client', '-c', 'shell=sleep 1000']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^pod\/client Running 10\.88\.0\.\d+\n$/);
  const web = await node.api.request<PodRecord>('GET', '/pods/web');
  const client = await node.api.request<PodRecord>('GET', '/pods/client');
  t.not(web.ip, client.ip);
  t.not(web.sandbox!.netns, client.sandbox!.netns);
  t.not(web.mac, client.mac);
  const bridged = await node.sh(['ip', '-o', 'link', 'show', 'master', 'minipod0']);
  t.true(bridged.stdout.includes(web.sandbox!.hostVeth) && bridged.stdout.includes(client.sandbox!.hostVeth));
  const hello = await node.cli(['exec', 'client', '--', 'curl', '-sS', '--max-time', '5', `http://${web.ip}:8080/`]);
  t.is(hello.stdout, 'Hello Kubernetes bootcamp! | Running on: web | v=1\n');
  const hostname = await node.cli(['exec', 'client', '--', 'hostname']);
  t.is(hostname.stdout, 'client\n');
});

test.serial('ps lists both pods in creation order', async (t) => {
  const rows = (await node.cli(['ps'])).stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
  t.deepEqual(rows, ['web', 'client']);
});

test.serial('rm -f of both leaves the node empty', async (t) => {
  t.is((await node.cli(['rm', '-f', 'web', 'client'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
