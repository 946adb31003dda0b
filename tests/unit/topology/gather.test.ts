// The daemon's gathering on the fake kernel (lib/os/fake.ts): what it runs through the door (ip
// in the node, nsenter … ip through each live pause, nft), what /proc says of each pid, and what it
// leaves alone (a pause pid now someone else's is not entered). Serial: the host is process-wide.
import test from 'ava';
import { CommandError } from '../../../lib/os/command-error.js';
import { FakeHost } from '../../../lib/os/fake.js';
import { useHost } from '../../../lib/os/host.js';
import { gatherFacts } from '../../../lib/topology/gather.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { validRecord } from '../../helpers/record.js';
import { nodeLinks, sandboxLinks } from '../../helpers/topology-facts.js';

const batch = (links: unknown[], routes: unknown[] = []) => `${JSON.stringify(links)}\n${JSON.stringify(routes)}\n`;

function setup(t: import('ava').ExecutionContext) {
  const fake = new FakeHost();
  t.teardown(useHost(fake, fake.tools));
  const pause = fake.add({ argv: ['pause', '-n'], ns: { net: fake.newNs('net') } });
  const app = fake.add({ argv: ['sleep', '1000'], ns: { net: pause.ns.net } });
  const child = fake.add({ ppid: app.pid, argv: ['sleep', '5'], ns: { net: pause.ns.net } });
  const r: PodRecord = validRecord('/fake/state');
  r.sandbox = { ...r.sandbox!, pid: pause.pid, startTime: pause.startTime, netns: pause.ns.net, hostVeth: 'mpweb0000001' };
  r.containers[0] = { ...r.containers[0]!, pid: app.pid, startTime: app.startTime, netns: pause.ns.net };
  fake.commands.set('ip', () => batch(nodeLinks(), [{ dst: '10.88.0.0/16', dev: 'minipod0' }]));
  fake.commands.set('nsenter', (argv) => (argv.includes(`--target=${pause.pid}`) ? batch(sandboxLinks(3, '10.88.0.2', '0a:58:0a:58:00:02')) : ''));
  return { fake, pause, app, child, r };
}

test.serial('the node and each live sandbox are listed by one ip each, the sandbox entered through its pause', async (t) => {
  const { fake, pause, app, child, r } = setup(t);
  const facts = await gatherFacts('minipod0', [r]);
  t.deepEqual(fake.lines('run '), [
    'run ip -j -d -batch -',
    `run nsenter --target=${pause.pid} --net -- /fake/bin/ip -j -d -batch -`,
  ]);
  t.is(facts.node.netns, fake.self.ns.net);
  t.deepEqual(facts.node.net.links.map((l) => l.ifname), ['lo', 'minipod0', 'mpweb0000001', 'mpclient0001']);
  t.is(facts.pods[0]!.kernel.pauseNetns, pause.ns.net);
  t.deepEqual(facts.pods[0]!.kernel.net!.links.map((l) => l.ifname), ['lo', 'eth0']);
  t.deepEqual(facts.pods[0]!.kernel.containers, [{ name: 'app', pid: app.pid, netns: pause.ns.net }]);
  t.deepEqual(facts.pids, { [pause.ns.net]: [pause.pid, app.pid, child.pid] });
  t.is(facts.nft, null, 'no nft on this host: no rules');
});

test.serial('a pause pid now held by another process is not entered: the sandbox has no kernel facts', async (t) => {
  const { fake, r } = setup(t);
  r.sandbox!.startTime = '1'; // the pid was reused
  const facts = await gatherFacts('minipod0', [r]);
  t.deepEqual(fake.lines('run nsenter'), []);
  t.is(facts.pods[0]!.kernel.pauseNetns, null);
  t.is(facts.pods[0]!.kernel.net, null);
});

test.serial('nft\'s table is read when nft is there; a missing table is no rules, another failure an error', async (t) => {
  const { fake, r } = setup(t);
  t.teardown(useHost(fake, { ...fake.tools, nft: '/usr/sbin/nft' }));
  const table = { nftables: [{ table: { family: 'ip', name: 'minipod', handle: 1 } }] };
  fake.commands.set('nft', () => JSON.stringify(table));
  t.deepEqual((await gatherFacts('minipod0', [r])).nft, table);
  t.true(fake.lines('run nft').includes('run nft -j list table ip minipod'));
  fake.commands.set('nft', (argv) => {
    throw new CommandError(argv, 1, undefined, 'Error: No such file or directory\nlist table ip minipod\n');
  });
  t.is((await gatherFacts('minipod0', [r])).nft, null);
  fake.commands.set('nft', (argv) => {
    throw new CommandError(argv, 1, undefined, 'Error: cache initialization failed: Operation not permitted');
  });
  await t.throwsAsync(gatherFacts('minipod0', [r]), { message: /Operation not permitted/ });
});
