// Sandbox death and recovery (issue acceptance 1-3, 5, 6, 9): the holder dies, the daemon
// rebuilds the sandbox with a new netns, keeps IP and MAC, restarts the apps, records it. The seed
// pod runs its images (fresh containers in each new sandbox); the setsid case is a host process.
import test from 'ava';
import type { PodEvent } from '../../lib/supervisor/events.js';
import type { PodRecord } from '../../lib/pod/types.js';
import type { Stats } from '../../lib/api/protocol.js';
import { alive, curl, daemonDescendants, netnsOf, processesIn, SEED, startTestNode, type TestNode } from '../helpers/node.js';
import { importSeedImages } from '../helpers/seed.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;

test.before(async () => {
  node = await startTestNode();
  await importSeedImages(node);
});
test.after.always(() => node?.dispose());

const get = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const events = async (pod: string) => (await node.cli(['events', pod, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);

async function recovered(name: string, attempt: number): Promise<PodRecord> {
  return waitFor(async () => {
    const p = await get(name);
    return p.phase === 'Running' && p.sandbox?.attempt === attempt && p.containers.every((c) => c.state === 'Running') ? p : undefined;
  }, `pod ${name} Running at attempt ${attempt}`);
}

test.serial('minipod kill --sandbox: a new sandbox with a new netns, same IP and MAC, apps restarted in it', async (t) => {
  t.is((await node.cli(['run', '-f', SEED])).exitCode, 0);
  const before = await get('web');
  const k = await node.cli(['kill', 'web', '--sandbox']);
  t.is(k.exitCode, 0, k.stderr);
  t.is(k.stdout, `SIGKILL sent to pid ${before.sandbox!.pid}\n`);
  const after = await recovered('web', 1);

  t.not(after.sandbox!.netns, before.sandbox!.netns);
  t.not(after.sandbox!.pid, before.sandbox!.pid);
  t.is(after.ip, before.ip);
  t.is(after.mac, before.mac);
  t.not(after.sandbox!.hostVeth, before.sandbox!.hostVeth);
  for (const c of after.containers) {
    t.is(c.restartCount, 1, c.name);
    t.is(await netnsOf(c.pid!), after.sandbox!.netns, `${c.name} is in the new namespace (checked in /proc)`);
    t.false(alive(before.containers.find((b) => b.name === c.name)!.pid!), `the old ${c.name} is gone`);
  }
  t.is(await netnsOf(after.sandbox!.pid), after.sandbox!.netns);
  // Once freed, a namespace's inode number is soon reused (by the daemon's next spare holder, or by
  // anyone's new namespace): what must hold is that none of the pod's processes is left in it.
  const { spareHolderPids } = await node.api.request<Stats>('GET', '/stats');
  const ours = new Set((await daemonDescendants(node.pid)).map((p) => p.pid).filter((pid) => !spareHolderPids.includes(pid)));
  t.deepEqual((await processesIn(before.sandbox!.netns)).filter((p) => ours.has(p.pid)), [], 'no process of the pod holds the old namespace');
  t.false(alive(before.sandbox!.pid), 'the old holder is gone');
  const bridged = (await node.sh(['ip', '-o', 'link', 'show', 'master', 'minipod0'])).stdout;
  t.true(bridged.includes(after.sandbox!.hostVeth));
  t.false(bridged.includes(before.sandbox!.hostVeth), 'the old veth is gone');
  // (not /sys/class/net: sysfs shows the namespace it was mounted in, the node's)
  const link = await node.cli(['exec', 'web', '-c', 'httpd', '--', 'ip', '-o', 'link', 'show', 'eth0']);
  t.true(link.stdout.includes(`link/ether ${before.mac} `), link.stdout);
});

test.serial('after recovery the seed pod answers from the node and on localhost inside', async (t) => {
  const p = await node.api.waitReady('web', 10_000);
  t.is((await curl(node, `http://${p.ip}:80/`)).stdout, '<html><body><h1>It works!</h1></body></html>\n');
  t.is((await curl(node, `http://${p.ip}:8080/`)).stdout, 'Hello Kubernetes bootcamp! | Running on: web | v=1\n');
  t.is((await node.cli(['exec', 'web', '-c', 'httpd', '--', 'wget', '-qO-', 'http://localhost:8080/'])).stdout, 'Hello Kubernetes bootcamp! | Running on: web | v=1\n');
  t.is((await node.cli(['exec', 'web', '-c', 'bootcamp', '--', 'hostname'])).stdout, 'web\n');
  const ps = (await node.cli(['ps'])).stdout.split('\n')[1]!.split(/\s+/);
  t.deepEqual([ps[1], ps[2], ps[3]], ['2/2', 'Running', '2'], 'RESTARTS counts both apps');
});

test.serial('each recovery is one timeline: events in order, cause and phase durations', async (t) => {
  const evs = await events('web');
  const reasons = evs.map((e) => e.reason);
  const died = reasons.indexOf('SandboxDied');
  t.true(died > 0);
  const after = reasons.slice(died);
  const order = ['SandboxDied', 'SandboxChanged', 'SandboxCreated', 'NetworkReady', 'Killing', 'ContainerStarted', 'ContainerStarted', 'SandboxRecreated'];
  t.deepEqual(after.filter((r) => order.includes(r)), order);
  t.true(after.includes('SandboxDeleted'), 'the old veth removal is recorded');
  t.regex(evs[died]!.message, /^pause \d+ killed by SIGKILL; it held net:\[\d+\]$/);
  const p = await get('web');
  t.like(p.lastRecovery, { cause: `pause ${evs[died]!.message.split(' ')[1]} killed by SIGKILL`, action: 'recreate', attempt: 1 });
  for (const k of ['detectMs', 'stopAppsMs', 'teardownMs', 'sandboxMs', 'networkMs', 'appsMs', 'totalMs'] as const) {
    t.true(typeof p.lastRecovery![k] === 'number' && p.lastRecovery![k] >= 0, k);
  }
  t.regex(evs.find((e) => e.reason === 'SandboxRecreated')!.message, /detect [\d.]+ \+ sandbox [\d.]+ \+ network [\d.]+, then stop apps [\d.]+ \(old veth removed in [\d.]+, meanwhile\) \+ apps [\d.]+; total [\d.]+ ms/);
});

test.serial('kill -9 of the pause from outside minipod is detected too', async (t) => {
  const before = await get('web');
  process.kill(before.sandbox!.pid, 'SIGKILL');
  const after = await recovered('web', 2);
  t.not(after.sandbox!.netns, before.sandbox!.netns);
  t.deepEqual(after.containers.map((c) => c.restartCount), [2, 2]);
  await node.api.waitReady('web', 10_000); // listening again, not only started
  t.is((await curl(node, `http://${after.ip}:80/`)).exitCode, 0);
});

test.serial('events --follow streams new events as they happen', async (t) => {
  const { execa } = await import('execa');
  const { CLI } = await import('../helpers/node.js');
  const follower = execa(process.execPath, [CLI, 'events', 'web', '--follow'], { env: { MINIPOD_SOCKET: node.socket }, buffer: false, reject: false });
  t.teardown(() => follower.kill());
  let out = '';
  const seen = new Promise<void>((resolve) =>
    follower.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/SandboxRecreated .*attempt 3/.test(out)) resolve();
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  await node.cli(['kill', 'web', '--sandbox']);
  await seen;
  t.regex(out, /Warning\s+SandboxDied\s+web\s+pause \d+ killed by SIGKILL/);
  await recovered('web', 3);
});

test.serial('rm -f in the middle of a recovery leaves nothing behind', async (t) => {
  const { assertNodeEmpty } = await import('../helpers/node.js');
  const p = await get('web');
  process.kill(p.sandbox!.pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 5));
  t.is((await node.cli(['rm', '-f', 'web'])).exitCode, 0);
  await assertNodeEmpty(t, node);
  for (const pid of [p.sandbox!.pid, ...p.containers.map((c) => c.pid!)]) t.false(alive(pid));
});

test.serial('what an app started in a session of its own (setsid) does not outlive its sandbox or its pod', async (t) => {
  await node.api.request('POST', '/pods', { metadata: { name: 'daemonizer' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sh', '-c', 'setsid sleep 1001 & exec sleep 1000'] }] } });
  const before = await waitFor(async () => {
    const p = await get('daemonizer');
    return (await processesIn(p.sandbox!.netns)).length === 3 && p; // pause, the app, its setsid child
  }, 'the setsid child');
  const escaped = (await processesIn(before.sandbox!.netns)).find((p) => p.cmd === 'sleep 1001')!;
  t.is((await node.cli(['kill', 'daemonizer', '--sandbox'])).exitCode, 0);
  const after = await recovered('daemonizer', 1);
  await waitFor(async () => !alive(escaped.pid), 'the old sandbox\'s setsid child to be stopped');
  const child = await waitFor(async () => (await processesIn(after.sandbox!.netns)).find((p) => p.cmd === 'sleep 1001'), 'a new setsid child');
  t.is((await node.cli(['rm', '-f', 'daemonizer'])).exitCode, 0);
  t.false(alive(child.pid), 'rm stopped it too');
});
